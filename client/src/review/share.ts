/**
 * The meeting side panel's "Share to stage": shares the review's address to the meeting
 * stage through the host (teams.ts), and says in words what Teams answered.
 */
import { h } from '../dom.js';
import type { Host } from '../teams.js';

/** The side panel's "Share to stage" button: shown only when Teams says the app may share. */
export function shareControl(host: Host, url: () => string): HTMLElement | null {
  const stage = host.stage;
  if (!stage || host.info.frameContext !== 'sidePanel') return null;
  const status = h('p', { class: 'share-status', role: 'status' });
  const wrapper = h('div', { class: 'share', hidden: true }, status);
  const button = h('button', { type: 'button', name: 'share-to-stage', class: 'primary' }, 'Share to stage');
  button.addEventListener('click', () => {
    button.disabled = true;
    status.className = 'share-status';
    status.textContent = 'Sharing to the stage…';
    stage
      .share(url())
      .then(
        () => {
          status.textContent = 'Shared to the stage: everyone in the meeting sees the review.';
        },
        (error: unknown) => {
          status.className = 'share-status error-text';
          status.setAttribute('role', 'alert');
          status.textContent = `Could not share to the stage. ${error instanceof Error ? error.message : String(error)}`;
        },
      )
      .finally(() => {
        button.disabled = false;
      });
  });
  wrapper.prepend(button);
  void stage.canShare().then((allowed) => {
    if (allowed) wrapper.hidden = false;
    else wrapper.remove();
  });
  return wrapper;
}
