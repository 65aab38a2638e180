// Placing the number box and the date box on the first page of a signed PDF without reserved
// lines (NĐ 30/2020 Art. 15, Appendix I). Without script the clerk types the millimetres in the
// inputs; with it, dragging on the page's image fills them in and shows both boxes.
(function () {
  "use strict";
  var set = document.getElementById("number-date-placement");
  if (!set) {
    return;
  }
  var image = document.getElementById("placement-image");
  var pageWidth = parseFloat(set.dataset.pageWidth);
  var pageHeight = parseFloat(set.dataset.pageHeight);
  if (!image || !(pageWidth > 0) || !(pageHeight > 0)) {
    return;
  }
  var tools = set.querySelector(".placement-tools");
  tools.hidden = false;
  var holder = set.querySelector(".placement-preview");
  holder.style.position = "relative";
  holder.style.display = "inline-block";
  holder.style.cursor = "crosshair";
  holder.style.userSelect = "none";
  image.draggable = false;

  var labels = { number: "Số", date: "Ngày" };
  var marks = {};
  ["number", "date"].forEach(function (name) {
    var mark = document.createElement("div");
    mark.className = "placement-box placement-" + name;
    mark.textContent = labels[name];
    mark.style.position = "absolute";
    mark.style.border = "2px solid " + (name === "number" ? "#b00020" : "#0b57d0");
    mark.style.background = "rgba(255, 255, 255, 0.6)";
    mark.style.font = "12px sans-serif";
    mark.style.pointerEvents = "none";
    mark.hidden = true;
    holder.appendChild(mark);
    marks[name] = mark;
  });

  function input(name, part) {
    return set.querySelector("[name='" + name + "_" + part + "']");
  }

  function target() {
    var chosen = set.querySelector("input[name='placement-target']:checked");
    return chosen ? chosen.value : "number";
  }

  function mmPerPixel() {
    return pageWidth / image.clientWidth;
  }

  // Shows the box of `name` from its inputs (typed or dragged).
  function show(name) {
    var values = ["x", "y", "width", "height"].map(function (part) {
      return parseFloat((input(name, part).value || "").replace(",", "."));
    });
    var mark = marks[name];
    if (values.some(isNaN)) {
      mark.hidden = true;
      return;
    }
    var scale = 1 / mmPerPixel();
    mark.style.left = values[0] * scale + "px";
    mark.style.top = values[1] * scale + "px";
    mark.style.width = values[2] * scale + "px";
    mark.style.height = values[3] * scale + "px";
    mark.hidden = false;
  }

  function write(name, x, y, width, height) {
    var round = function (v) {
      return String(Math.round(v * 10) / 10);
    };
    input(name, "x").value = round(x);
    input(name, "y").value = round(y);
    input(name, "width").value = round(width);
    input(name, "height").value = round(height);
    show(name);
  }

  var start = null;
  function point(event) {
    var box = image.getBoundingClientRect();
    var scale = mmPerPixel();
    var x = Math.min(Math.max(event.clientX - box.left, 0), box.width);
    var y = Math.min(Math.max(event.clientY - box.top, 0), box.height);
    return { x: x * scale, y: y * scale };
  }

  holder.addEventListener("pointerdown", function (event) {
    start = point(event);
    holder.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  holder.addEventListener("pointermove", function (event) {
    if (!start) {
      return;
    }
    var now = point(event);
    write(
      target(),
      Math.min(start.x, now.x),
      Math.min(start.y, now.y),
      Math.abs(now.x - start.x),
      Math.abs(now.y - start.y)
    );
  });
  holder.addEventListener("pointerup", function (event) {
    if (!start) {
      return;
    }
    var now = point(event);
    var name = target();
    if (Math.abs(now.x - start.x) < 1 && Math.abs(now.y - start.y) < 1) {
      // A click: a box of the usual size for the line, its top-left corner at the click.
      var width = name === "number" ? 50 : 80;
      write(name, Math.min(start.x, pageWidth - width), Math.min(start.y, pageHeight - 8), width, 8);
    }
    start = null;
    if (name === "number") {
      var next = set.querySelector("input[name='placement-target'][value='date']");
      if (next) {
        next.checked = true;
      }
    }
  });

  ["number", "date"].forEach(function (name) {
    ["x", "y", "width", "height"].forEach(function (part) {
      input(name, part).addEventListener("input", function () {
        show(name);
      });
    });
  });
  function showAll() {
    show("number");
    show("date");
  }
  if (image.complete) {
    showAll();
  } else {
    image.addEventListener("load", showAll);
  }
  window.addEventListener("resize", showAll);
})();
