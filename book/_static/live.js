// The live chapters: a code cell tagged "live" runs in the reader's browser, in Pyodide (Python
// compiled to WebAssembly), with the book's own library. Everything it needs ships with the book
// under _static/ (the runtime, the standard library, gnet_lib's torch-free part), so nothing is
// fetched from anywhere else. Python starts on the first Run; the live cells above the one run
// first are run too, in order, as a reader running the notebook from the top would, except that
// an exercise's solution runs as its placeholder (``answer = ...``) unless the reader runs it.
const root = new URL(document.documentElement.dataset.content_root ?? "./", location.href);
const cells = [...document.querySelectorAll("div.cell.tag_live")];
const SOLUTION = /^[ \t]*# BEGIN SOLUTION \(placeholder: (.+)\)[ \t]*\n[\s\S]*?^[ \t]*# END SOLUTION[ \t]*$/gm;
let python = null;  // a promise of the started runtime
let ranUpTo = -1;   // index of the last cell run
let busy = false;

async function startPython() {
  const { loadPyodide } = await import(new URL("_static/pyodide/pyodide.mjs", root).href);
  const py = await loadPyodide({ indexURL: new URL("_static/pyodide/", root).href });
  const zip = await (await fetch(new URL("_static/live/gnet_lib.zip", root))).arrayBuffer();
  py.unpackArchive(zip, "zip", { extractDir: "/home/pyodide/live" });
  py.runPython("import sys\nsys.path.insert(0, '/home/pyodide/live')\n"
    + "from gnet_lib.book.live import run_cell_json\nnamespace = {'__name__': '__main__'}");
  return py;
}

// The cell's code as the reader sees it: a shown cell's rendered text (an edit may have added line
// breaks as elements), a collapsed one's (a solution in its dropdown) text as written.
function codeOf(cell) {
  const pre = cell.querySelector(".cell_input pre");
  const shown = pre.checkVisibility ? pre.checkVisibility({ visibilityProperty: true }) : pre.getClientRects().length > 0;
  return (shown ? pre.innerText : pre.textContent).replace(/\n$/, "");
}

function show(cell, outputs) {
  cell.querySelector(".cell_output")?.classList.add("live-replaced");
  let box = cell.querySelector(".live-output");
  if (!box) {
    box = document.createElement("div");
    box.className = "live-output";
    cell.appendChild(box);
  }
  box.classList.remove("live-stale");
  box.replaceChildren(...outputs.map((out) => {
    const el = document.createElement(out.html ? "div" : "pre");
    if (out.html) el.innerHTML = out.html; else el.textContent = out.text;
    el.className = `live-${out.kind}`;
    return el;
  }));
}

const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function run(index, status) {
  if (busy) return;
  busy = true;
  document.querySelectorAll("button.live-run").forEach((b) => { b.disabled = true; });
  try {
    if (!python) {
      status.textContent = "starting Python (a few seconds, once per page)…";
      await frame();
      python = startPython();
    }
    const py = await python;
    for (let i = Math.min(ranUpTo + 1, index); i <= index; i++) {
      status.textContent = i < index ? `running the live cells above first (${i + 1} of ${index})…` : "running…";
      await frame();
      let code = codeOf(cells[i]);
      if (i < index && cells[i].classList.contains("tag_solution")) code = code.replace(SOLUTION, "$1");
      show(cells[i], JSON.parse(py.globals.get("run_cell_json")(code, py.globals.get("namespace"))));
    }
    ranUpTo = Math.max(ranUpTo, index);
    status.textContent = "ran in your browser";
  } finally {
    busy = false;
    document.querySelectorAll("button.live-run").forEach((b) => { b.disabled = false; });
  }
}

cells.forEach((cell, index) => {
  const pre = cell.querySelector(".cell_input pre");
  if (!pre) return;
  pre.contentEditable = "plaintext-only";
  pre.spellcheck = false;
  pre.setAttribute("role", "textbox");
  pre.setAttribute("aria-multiline", "true");
  pre.setAttribute("aria-label", "Python code, editable; Shift+Enter runs it");
  const bar = document.createElement("div");
  bar.className = "live-bar";
  const button = document.createElement("button");
  button.className = "live-run";
  button.type = "button";
  button.innerHTML = 'Run <span aria-hidden="true">▶</span>';
  button.setAttribute("aria-label", "Run this cell in your browser");
  const status = document.createElement("span");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.textContent = cell.classList.contains("tag_check")
    ? "editable: put your answer in the check, e.g. check(\"N.K\", 42), and run it"
    : "editable; runs in your browser (Shift+Enter)";
  const go = () => run(index, status).catch((err) => { status.textContent = `could not run: ${err}`; });
  button.addEventListener("click", go);
  pre.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.shiftKey) { event.preventDefault(); go(); }
  });
  pre.addEventListener("input", () => {
    cell.querySelector(".live-output")?.classList.add("live-stale");
    status.textContent = "edited: run it again to update the output";
  });
  bar.append(button, status);
  cell.querySelector(".cell_input").after(bar);
});

if (cells.length) {
  document.querySelectorAll("div.cell:not(.tag_live):not(.tag_colab-install)").forEach((cell) => {
    if (!cell.querySelector(".cell_input")) return;
    const note = document.createElement("div");
    note.className = "live-bar live-static";
    note.textContent = "stored output: this cell needs PyTorch or matplotlib, which the page's Python does not have";
    cell.querySelector(".cell_input").after(note);
  });
}
