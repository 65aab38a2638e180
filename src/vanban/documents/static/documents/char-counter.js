// A character counter under each long text field of the register forms (R16): "12/500 ký tự".
// Progressive enhancement: without script the field has no counter and the server refuses a text
// past its limit, saying how long it is; the browser never cuts a pasted text (no maxlength).
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-maxlength]");
  Array.prototype.forEach.call(fields, function (field) {
    var limit = parseInt(field.dataset.maxlength, 10);
    if (!(limit > 0)) {
      return;
    }
    var counter = document.createElement("p");
    counter.className = "char-counter muted";
    counter.id = field.id + "-counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      // Counted as the server counts: Unicode code points of the NFC text, ends trimmed.
      var length = Array.from(field.value.normalize("NFC").trim()).length;
      var over = length > limit;
      counter.textContent =
        length + "/" + limit + " ký tự" +
        (over ? " — quá " + (length - limit) + " ký tự, hãy rút gọn" : "");
      counter.classList.toggle("over", over);
    }
    field.addEventListener("input", update);
    update();
  });
})();
