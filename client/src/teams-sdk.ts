// The Teams SDK as its own chunk (teams-sdk-*.js), loaded only when the page is framed.
export { app, authentication, pages } from '@microsoft/teams-js';
