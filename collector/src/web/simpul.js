// Simpul pages: sortable tables (keyboard-accessible buttons in the headers) and pan and
// zoom of the LAN diagram. Everything works without it; it only adds convenience.
"use strict";
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead ? table.tHead.rows[0].cells : [];
  // each cell's column name, shown before it when a phone lays the rows out as cards
  Array.prototype.forEach.call(table.tBodies, function (body) {
    Array.prototype.forEach.call(body.rows, function (r) {
      Array.prototype.forEach.call(r.cells, function (c, i) {
        if (i > 0 && heads[i] && !c.hasAttribute("data-label")) {
          c.setAttribute("data-label", heads[i].textContent.trim());
        }
      });
    });
  });
  Array.prototype.forEach.call(heads, function (th, col) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (r) {
        var c = r.cells[col];
        var v = c.getAttribute("data-sort");
        if (v === null) v = c.textContent.trim();
        var n = Number(v);
        return v.trim() !== "" && !isNaN(n) ? n : v.toLowerCase();
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.querySelectorAll(".diagram").forEach(function (box) {
  var svg = box.querySelector("svg");
  if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
  var vb = svg.viewBox.baseVal, start = null;
  var zoom = function (f, cx, cy) {
    var w = vb.width * f, h = vb.height * f;
    vb.x = cx - (cx - vb.x) * f; vb.y = cy - (cy - vb.y) * f; vb.width = w; vb.height = h;
  };
  box.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85,
      vb.x + (e.clientX - r.left) / r.width * vb.width, vb.y + (e.clientY - r.top) / r.height * vb.height);
  }, { passive: false });
  // one pointer pans; two (a pinch on a phone) zoom around their midpoint
  var pts = {}, pinch = null;
  var ids = function () { return Object.keys(pts); };
  var spread = function () {
    var k = ids(), a = pts[k[0]], b = pts[k[1]];
    return [Math.hypot(a[0] - b[0], a[1] - b[1]), (a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  };
  box.addEventListener("pointerdown", function (e) {
    pts[e.pointerId] = [e.clientX, e.clientY];
    box.setPointerCapture(e.pointerId);
    if (ids().length === 2) { pinch = spread(); start = null; } else if (ids().length === 1) start = [e.clientX, e.clientY];
  });
  var lift = function (e) {
    delete pts[e.pointerId];
    pinch = null;
    var k = ids();
    start = k.length === 1 ? pts[k[0]].slice() : null;
  };
  box.addEventListener("pointerup", lift);
  box.addEventListener("pointercancel", lift);
  box.addEventListener("pointermove", function (e) {
    if (!(e.pointerId in pts)) return;
    pts[e.pointerId] = [e.clientX, e.clientY];
    var r = svg.getBoundingClientRect();
    if (pinch && ids().length >= 2) {
      var s = spread();
      if (s[0] > 0 && pinch[0] > 0) {
        zoom(pinch[0] / s[0], vb.x + (s[1] - r.left) / r.width * vb.width, vb.y + (s[2] - r.top) / r.height * vb.height);
      }
      pinch = s;
    } else if (start) {
      vb.x -= (e.clientX - start[0]) / r.width * vb.width; vb.y -= (e.clientY - start[1]) / r.height * vb.height;
      start = [e.clientX, e.clientY];
    }
  });
  box.addEventListener("keydown", function (e) {
    var cx = vb.x + vb.width / 2, cy = vb.y + vb.height / 2;
    if (e.key === "+" || e.key === "=") zoom(0.85, cx, cy);
    else if (e.key === "-") zoom(1 / 0.85, cx, cy);
    else if (e.key === "ArrowLeft") vb.x -= vb.width / 10;
    else if (e.key === "ArrowRight") vb.x += vb.width / 10;
    else if (e.key === "ArrowUp") vb.y -= vb.height / 10;
    else if (e.key === "ArrowDown") vb.y += vb.height / 10;
    else return;
    e.preventDefault();
  });
});
