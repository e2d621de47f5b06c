// The «документ готовится» page: htmx polls the PDF's state; once the PDF is ready, the swapped-in
// card carries its URL and the download starts by itself (the link stays for a second try).
document.addEventListener("htmx:afterSwap", () => {
  const ready = document.querySelector("#pdf-status[data-download-url]");
  if (ready && !ready.dataset.started) {
    ready.dataset.started = "1";
    window.location.assign(ready.dataset.downloadUrl);
  }
});
