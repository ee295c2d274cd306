// The Teams SDK as its own chunk (teams-sdk-*.js), loaded only when the page is framed.
export { app, authentication, meeting, pages } from '@microsoft/teams-js';
