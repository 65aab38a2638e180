// The document viewer (docs/files.md "Viewer"), on the document, processing, draft and reception
// pages: a PDF is drawn page by page on canvases by PDF.js (vendored, served from this site, its
// worker too), with a text layer so that the text can be selected and found; thumbnails of the
// pages, the page number, previous and next, zoom with "fit width" (the default, for a 390 px
// phone as for a desktop), and the download button of the file shown. Pages and thumbnails are
// drawn only when they come into view. A JPEG or PNG is shown as a picture. A file without a PDF
// to show (a DOCX with no PDF made from it yet) gets a message and the download button.
//
// Content-Security-Policy: no inline script or style, no eval, no WebAssembly. PDF.js 6 has no
// eval path; useWasm: false keeps it to its JavaScript decoders. Sizes are set through the CSSOM
// (element.style), which the policy allows, never through style attributes.

const STEP = 1.25;
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 4;
const THUMB_WIDTH = 88; // CSS pixels
const PAGE_GAP = 12; // CSS pixels between pages, as in viewer.css

let pdfjs = null;

function loadPdfjs(section) {
  if (!pdfjs) {
    pdfjs = import(section.dataset.pdfjs).then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = section.dataset.pdfjsWorker;
      return lib;
    });
  }
  return pdfjs;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function failure(error) {
  const status = error && error.status;
  if (error && error.name === "PasswordException") {
    return "Tệp PDF có mật khẩu, không xem được ở đây. Hãy tải xuống để đọc.";
  }
  if (status === 404 || status === 403) {
    return "Không tìm thấy tệp, hoặc bạn không có quyền xem tệp này.";
  }
  if (status === 409) {
    return "Tệp lưu trữ đã mất hoặc đã bị thay đổi (mã SHA-256 không khớp), không hiển thị được. Hãy báo văn thư của đơn vị.";
  }
  if (error && error.name === "InvalidPDFException") {
    return "Tệp không phải là PDF đọc được. Hãy tải xuống để mở bằng phần mềm khác.";
  }
  return "Không mở được tệp để xem. Hãy tải xuống để đọc.";
}

class Viewer {
  constructor(section) {
    this.section = section;
    this.buttons = Array.from(section.querySelectorAll(".viewer-file"));
    this.download = section.querySelector(".viewer-download");
    this.status = section.querySelector(".viewer-status");
    this.missing = section.querySelector(".viewer-missing");
    this.paging = section.querySelector(".viewer-paging");
    this.zoomBox = section.querySelector(".viewer-zoom");
    this.pageInput = section.querySelector(".viewer-page");
    this.countLabel = section.querySelector(".viewer-count");
    this.thumbs = section.querySelector(".viewer-thumbs");
    this.pages = section.querySelector(".viewer-pages");
    this.task = null;
    this.doc = null;
    this.generation = 0;
    this.zoom = 1; // times the fit-width scale
    this.slots = [];
    this.current = 1;
    this.observers = [];
    this.width = 0;

    this.buttons.forEach((button) => {
      button.addEventListener("click", () => this.select(button));
    });
    section.querySelector(".viewer-prev").addEventListener("click", () => this.goTo(this.current - 1));
    section.querySelector(".viewer-next").addEventListener("click", () => this.goTo(this.current + 1));
    this.pageInput.addEventListener("change", () => this.goTo(Number(this.pageInput.value) || 1));
    section.querySelector(".viewer-zoom-in").addEventListener("click", () => this.setZoom(this.zoom * STEP));
    section.querySelector(".viewer-zoom-out").addEventListener("click", () => this.setZoom(this.zoom / STEP));
    section.querySelector(".viewer-fit").addEventListener("click", () => this.setZoom(1));
    let ticking = false;
    this.pages.addEventListener("scroll", () => {
      if (!ticking) {
        ticking = true;
        window.requestAnimationFrame(() => {
          ticking = false;
          this.trackCurrent();
        });
      }
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => {
        if (this.doc && this.pages.clientWidth !== this.width) {
          this.layout();
        }
      }, 150);
    });
    const first = this.buttons.find((b) => b.getAttribute("aria-pressed") === "true") || this.buttons[0];
    if (first) {
      this.select(first);
    }
  }

  setState(state, message) {
    this.section.dataset.state = state;
    this.status.textContent = message || "";
  }

  reset() {
    this.generation += 1;
    this.observers.forEach((observer) => observer.disconnect());
    this.observers = [];
    if (this.task) {
      this.task.destroy();
    }
    this.task = null;
    this.doc = null;
    this.slots = [];
    this.pages.replaceChildren();
    this.thumbs.replaceChildren();
    this.paging.hidden = true;
    this.zoomBox.hidden = true;
    this.missing.hidden = true;
    this.zoom = 1;
    this.current = 1;
  }

  select(button) {
    this.buttons.forEach((b) => b.setAttribute("aria-pressed", b === button ? "true" : "false"));
    this.download.href = button.dataset.download;
    this.reset();
    if (button.dataset.pdf) {
      this.openPdf(button.dataset.pdf, button.dataset.name);
    } else if (button.dataset.image) {
      this.showImage(button.dataset.image, button.dataset.name);
    } else {
      this.missing.hidden = false;
      this.setState("missing", "");
    }
  }

  showImage(url, name) {
    const image = element("img", "viewer-image");
    image.alt = name;
    image.addEventListener("load", () => this.setState("image", ""));
    image.addEventListener("error", () => this.setState("error", failure(null)));
    image.src = url;
    this.setState("loading", "Đang mở tệp…");
    this.pages.append(image);
  }

  async openPdf(url, name) {
    const generation = this.generation;
    this.setState("loading", "Đang mở tệp…");
    let doc;
    try {
      const lib = await loadPdfjs(this.section);
      if (generation !== this.generation) {
        return;
      }
      this.lib = lib;
      this.task = lib.getDocument({ url: url, useWasm: false, isEvalSupported: false });
      doc = await this.task.promise;
    } catch (error) {
      if (generation === this.generation) {
        this.setState("error", failure(error));
      }
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    this.doc = doc;
    const first = await doc.getPage(1);
    if (generation !== this.generation) {
      return;
    }
    this.baseSize = first.getViewport({ scale: 1 });
    this.countLabel.textContent = String(doc.numPages);
    this.pageInput.max = String(doc.numPages);
    this.paging.hidden = false;
    this.zoomBox.hidden = false;
    for (let number = 1; number <= doc.numPages; number += 1) {
      const slot = { number: number, size: null, rendered: 0, thumbDone: false };
      slot.box = element("div", "viewer-page-box");
      slot.box.setAttribute("role", "img");
      slot.box.setAttribute("aria-label", `Trang ${number} của ${name}`);
      slot.box.dataset.page = String(number);
      slot.thumb = element("button", "viewer-thumb");
      slot.thumb.type = "button";
      slot.thumb.setAttribute("aria-label", `Trang ${number}`);
      slot.thumb.append(element("canvas"), element("span", "viewer-thumb-number", String(number)));
      slot.thumb.addEventListener("click", () => this.goTo(number));
      this.pages.append(slot.box);
      this.thumbs.append(slot.thumb);
      this.slots.push(slot);
    }
    this.observe();
    this.layout();
    this.setState("ready", `${doc.numPages} trang`);
  }

  observe() {
    const pageObserver = new IntersectionObserver(
      (entries) => {
        entries.forEach((entry) => {
          if (entry.isIntersecting) {
            this.renderPage(this.slots[Number(entry.target.dataset.page) - 1]);
          }
        });
      },
      { root: this.pages, rootMargin: "300px 0px" },
    );
    const thumbObserver = new IntersectionObserver(
      (entries) => {
        entries.forEach((entry) => {
          if (entry.isIntersecting) {
            const index = this.slots.findIndex((s) => s.thumb === entry.target);
            this.renderThumb(this.slots[index]);
          }
        });
      },
      { root: this.thumbs, rootMargin: "200px" },
    );
    this.slots.forEach((slot) => {
      pageObserver.observe(slot.box);
      thumbObserver.observe(slot.thumb);
    });
    this.observers = [pageObserver, thumbObserver];
  }

  fitScale(size) {
    const available = Math.max(this.pages.clientWidth - 2 * PAGE_GAP, 120);
    return available / size.width;
  }

  // Every page is scaled like the first one, so that a document mixing sizes keeps one zoom.
  scaleFor() {
    return this.fitScale(this.baseSize) * this.zoom;
  }

  // Sizes every page box for the current scale (a page not yet drawn takes the first page's
  // size) and draws again the pages already drawn, keeping the current page in view.
  layout() {
    const keep = this.current;
    this.width = this.pages.clientWidth;
    const scale = this.scaleFor();
    this.slots.forEach((slot) => {
      const size = slot.size || this.baseSize;
      slot.box.style.width = `${Math.floor(size.width * scale)}px`;
      slot.box.style.height = `${Math.floor(size.height * scale)}px`;
      if (slot.rendered && slot.rendered !== scale) {
        slot.rendered = 0;
        slot.box.replaceChildren();
      }
    });
    this.section.querySelector(".viewer-fit").setAttribute("aria-pressed", this.zoom === 1 ? "true" : "false");
    this.goTo(keep, true);
    this.slots.forEach((slot) => {
      if (this.isNear(slot)) {
        this.renderPage(slot);
      }
    });
  }

  isNear(slot) {
    const top = slot.box.offsetTop; // .viewer-pages is the offset parent (viewer.css)
    const view = this.pages.scrollTop;
    return top < view + this.pages.clientHeight + 300 && top + slot.box.offsetHeight > view - 300;
  }

  setZoom(zoom) {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    if (!this.doc || next === this.zoom) {
      return;
    }
    this.zoom = next;
    this.layout();
  }

  async renderPage(slot) {
    const scale = this.scaleFor();
    if (!slot || slot.rendered === scale || slot.pending === scale) {
      return;
    }
    slot.pending = scale;
    const generation = this.generation;
    try {
      const page = await this.doc.getPage(slot.number);
      if (generation !== this.generation || slot.pending !== scale) {
        return;
      }
      const viewport = page.getViewport({ scale: scale });
      slot.size = page.getViewport({ scale: 1 });
      const ratio = window.devicePixelRatio || 1;
      const canvas = element("canvas", "viewer-canvas");
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      const text = element("div", "textLayer");
      const box = slot.box;
      box.style.width = canvas.style.width;
      box.style.height = canvas.style.height;
      box.style.setProperty("--total-scale-factor", String(scale));
      box.style.setProperty("--scale-round-x", "1px");
      box.style.setProperty("--scale-round-y", "1px");
      await page.render({
        canvasContext: canvas.getContext("2d"),
        viewport: viewport,
        transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
      }).promise;
      if (generation !== this.generation || slot.pending !== scale) {
        return;
      }
      box.replaceChildren(canvas, text);
      slot.rendered = scale;
      slot.pending = 0;
      box.dataset.rendered = "true";
      await new this.lib.TextLayer({
        textContentSource: page.streamTextContent(),
        container: text,
        viewport: viewport,
      }).render();
    } catch (error) {
      if (generation === this.generation && error && error.name !== "RenderingCancelledException") {
        slot.pending = 0;
        this.setState("error", failure(error));
      }
    }
  }

  async renderThumb(slot) {
    if (!slot || slot.thumbDone) {
      return;
    }
    slot.thumbDone = true;
    const generation = this.generation;
    try {
      const page = await this.doc.getPage(slot.number);
      if (generation !== this.generation) {
        return;
      }
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: THUMB_WIDTH / base.width });
      const ratio = window.devicePixelRatio || 1;
      const canvas = slot.thumb.querySelector("canvas");
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      await page.render({
        canvasContext: canvas.getContext("2d"),
        viewport: viewport,
        transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
      }).promise;
      slot.thumb.dataset.rendered = "true";
    } catch (error) {
      slot.thumbDone = false;
    }
  }

  goTo(number, instant) {
    if (!this.doc) {
      return;
    }
    const target = Math.min(this.doc.numPages, Math.max(1, Math.round(number)));
    const slot = this.slots[target - 1];
    this.pages.scrollTop = slot.box.offsetTop - PAGE_GAP;
    this.setCurrent(target);
    if (!instant) {
      this.renderPage(slot);
    }
  }

  // The current page is the one that covers the middle of the visible part.
  trackCurrent() {
    if (!this.doc) {
      return;
    }
    const middle = this.pages.scrollTop + this.pages.clientHeight / 2;
    let current = 1;
    this.slots.forEach((slot) => {
      if (slot.box.offsetTop <= middle) {
        current = slot.number;
      }
    });
    // Only a change of page is written: the scroll that follows a jump (a button, a thumbnail)
    // must not overwrite a page number the person is typing meanwhile.
    if (current !== this.current) {
      this.setCurrent(current);
    }
  }

  setCurrent(number) {
    const previous = this.slots[this.current - 1];
    if (previous) {
      previous.thumb.removeAttribute("aria-current");
    }
    this.current = number;
    const slot = this.slots[number - 1];
    slot.thumb.setAttribute("aria-current", "page");
    this.pageInput.value = String(number);
    const thumbs = this.thumbs;
    const left = slot.thumb.offsetLeft;
    const top = slot.thumb.offsetTop;
    if (left < thumbs.scrollLeft || left + slot.thumb.offsetWidth > thumbs.scrollLeft + thumbs.clientWidth) {
      thumbs.scrollLeft = left - PAGE_GAP;
    }
    if (top < thumbs.scrollTop || top + slot.thumb.offsetHeight > thumbs.scrollTop + thumbs.clientHeight) {
      thumbs.scrollTop = top - PAGE_GAP;
    }
  }
}

document.querySelectorAll("section.viewer").forEach((section) => {
  section.viewer = new Viewer(section);
});
