// The main menu on a narrow screen (docs/deployment.md, "Phones"): below 900 px the links fold
// behind the "Menu" button of the top bar, which opens and closes them (Enter, Space, or Escape
// from inside the menu). Without script the button stays hidden and the menu open, as on a desktop.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 899.98px)");

  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    document.documentElement.classList.add("menu-folds");
    button.hidden = false;

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }

    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && menu.classList.contains("open")) {
        show(false);
        button.focus();
      }
    });
    show(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
