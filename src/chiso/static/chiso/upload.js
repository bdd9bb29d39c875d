/* Upload with a progress bar; without JavaScript the form posts normally. */
(function () {
  var form = document.getElementById("upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var msg = function (key, fallback) { return form.getAttribute("data-msg-" + key) || fallback; };
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var bar = document.getElementById("progress");
    var text = document.getElementById("progress-text");
    bar.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        var p = Math.round((e.loaded / e.total) * 100);
        bar.value = p;
        text.textContent = msg("uploading", "Đang tải lên:") + " " + p + "%";
      }
    };
    xhr.onload = function () {
      bar.value = 100;
      text.textContent = msg("checking", "Đang kiểm tra từng dòng…");
      if (xhr.responseURL && xhr.status < 400) { window.location.href = xhr.responseURL; return; }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { text.textContent = msg("network", "Lỗi mạng khi tải tệp; hãy thử lại."); };
    xhr.send(new FormData(form));
  });
})();
