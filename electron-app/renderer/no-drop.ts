/**
 * A link, text or file dropped on the kiosk opens nothing. Chromium (the Chromium shell, and
 * Electron if navigateOnDragDrop were ever on) navigates to whatever is dropped on a page that
 * does not claim the drop: the kiosk would be replaced by another page or the error page of the
 * URL allow-list. Claiming dragover and drop on the whole document, and accepting nothing, stops it.
 */
for (const type of ['dragenter', 'dragover', 'drop'] as const) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  });
}
