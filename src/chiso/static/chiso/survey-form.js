/* The public survey form: hide the questions whose condition is not met (skip logic) and move the
   focus to the error summary. Served as a file, not inline: the Content-Security-Policy allows
   scripts from chiso itself only. The form works without it. */
(function () {var f=document.forms[0];function u(){document.querySelectorAll("[data-if]").forEach(function(b){var c=f.querySelector("[name="+b.dataset.if+"]:checked");b.hidden=!(c&&b.dataset.v.split(",").indexOf(c.value)>=0)})}f.addEventListener("change",u);u();var l=document.getElementById("loi");if(l)l.focus()})();
