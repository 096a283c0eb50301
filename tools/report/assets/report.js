// Draws the losslab report from the JSON embedded in the page: plain DOM and SVG, no libraries and
// no network. Every number comes precomputed from losslab-report; this file only draws.
// When done, <body data-rendered="..."> lists the kinds of sections drawn; a section that fails
// shows its error in place and records it in <body data-errors="...">.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                   "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  const SECTION_ORDER = ["loss-curves", "epoch-chart", "heatmap", "marginals", "parallel-coordinates", "importance", "table",
                         "compare", "confusion", "templates", "decision-regions"];
  const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                   "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
  const METRIC_LABELS = { val_accuracy: "validation accuracy", train_accuracy: "training accuracy" };

  // ---- DOM helpers ------------------------------------------------------------------------------

  function element(namespace, tag, attributes, parent, text) {
    const node = namespace ? document.createElementNS(namespace, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  const html = (tag, attributes, parent, text) => element(null, tag, attributes, parent, text);
  const svg = (tag, attributes, parent, text) => element(SVG_NS, tag, attributes, parent, text);
  // A native tooltip on an SVG element.
  const tooltip = (node, text) => svg("title", {}, node, text);

  function classColor(index) {
    if (index < PALETTE.length) return PALETTE[index];
    return "hsl(" + ((index * 137.5) % 360).toFixed(0) + ", 55%, 50%)";
  }

  function hexToRgb(hex) {
    const value = parseInt(hex.slice(1), 16);
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }

  // Viridis at t in [0, 1].
  function colormap(t) {
    const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const a = hexToRgb(VIRIDIS[i]), b = hexToRgb(VIRIDIS[i + 1]);
    const mix = a.map((channel, k) => Math.round(channel + (b[k] - channel) * (x - i)));
    return "rgb(" + mix.join(",") + ")";
  }
  const inkOn = (t) => (t > 0.6 ? "#1d2430" : "#ffffff");

  // ---- numbers ----------------------------------------------------------------------------------

  const isNumber = (v) => typeof v === "number" && isFinite(v);

  // 0.001, 1e-4, 2.5e-5, 0.8123, 1500, 3e+6 -> short text that still tells values apart.
  function formatNumber(v) {
    if (!isNumber(v)) return v === null || v === undefined ? "—" : String(v);
    if (v === 0) return "0";
    const magnitude = Math.abs(v);
    if (magnitude >= 1e5 || magnitude < 1e-3) {
      const [mantissa, exponent] = v.toExponential(2).split("e");
      return String(parseFloat(mantissa)) + "e" + Number(exponent);
    }
    return String(parseFloat(v.toPrecision(4)));
  }
  const formatFixed = (v, digits) => (isNumber(v) ? v.toFixed(digits) : "—");

  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const r = raw / magnitude;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * magnitude;
  }

  function linearTicks(low, high, count) {
    if (!(high > low)) return [low];
    const step = niceStep(high - low, count);
    const ticks = [];
    // Multiples of the step by integer index, so the tick at zero is exactly 0, not 5.6e-17.
    for (let i = Math.ceil(low / step - 1e-9); i * step <= high + step * 1e-9; ++i) {
      ticks.push(parseFloat((i * step).toPrecision(12)));
    }
    return ticks;
  }

  function logTicks(low, high) {
    const first = Math.floor(Math.log10(low)), last = Math.ceil(Math.log10(high));
    const candidates = (mantissas) => {
      const ticks = [];
      for (let e = first; e <= last; ++e) {
        for (const m of mantissas) {
          const v = parseFloat((m * Math.pow(10, e)).toPrecision(12));
          if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) ticks.push(v);
        }
      }
      return ticks;
    };
    let ticks = candidates(last - first <= 3 ? [1, 2, 5] : [1]);
    if (ticks.length < 2) ticks = candidates([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (ticks.length > 9) ticks = ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    return ticks;
  }

  // A continuous scale: kind "linear" or "log"; maps domain [d0, d1] to range [r0, r1].
  function scale(kind, domain, range) {
    const transform = kind === "log" ? Math.log10 : (v) => v;
    const t0 = transform(domain[0]), t1 = transform(domain[1]);
    const f = (v) => range[0] + ((transform(v) - t0) / (t1 - t0 || 1)) * (range[1] - range[0]);
    f.kind = kind;
    f.domain = domain;
    f.range = range;
    f.ticks = (count) => (kind === "log" ? logTicks(domain[0], domain[1]) : linearTicks(domain[0], domain[1], count));
    // The ends map back exactly, so a range dragged to an axis's end holds the values drawn there.
    const untransform = kind === "log" ? (t) => Math.pow(10, t) : (t) => t;
    f.invert = (p) => {
      const share = (p - range[0]) / (range[1] - range[0] || 1);
      return share <= 0 ? domain[0] : share >= 1 ? domain[1] : untransform(t0 + share * (t1 - t0));
    };
    return f;
  }

  // The data's extent, widened a little (and to nice values for linear scales).
  function paddedDomain(kind, values) {
    let low = Math.min(...values), high = Math.max(...values);
    if (kind === "log") {
      if (!(high > low)) return [low / 2, high * 2];
      const pad = Math.pow(high / low, 0.05);
      return [low / pad, high * pad];
    }
    if (!(high > low)) return [low - 1, high + 1];
    const step = niceStep(high - low, 6);
    return [Math.floor(low / step) * step, Math.ceil(high / step) * step];
  }

  // A scale over categories: each one gets a band, the function returns its center.
  function bandScale(categories, range) {
    const width = (range[1] - range[0]) / Math.max(1, categories.length);
    const f = (v) => range[0] + (categories.indexOf(v) + 0.5) * width;
    f.kind = "band";
    f.bandwidth = width;
    f.ticks = () => categories;
    return f;
  }

  // ---- charts -----------------------------------------------------------------------------------

  function makeChart(parent, width, height, margin) {
    const root = svg("svg", { class: "chart", width: width, height: height, viewBox: "0 0 " + width + " " + height }, parent);
    const plot = svg("g", { transform: "translate(" + margin.left + "," + margin.top + ")" }, root);
    return { root: root, plot: plot, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom };
  }

  // Axes with ticks, grid lines and titles; `x` and `y` are scales made for the chart's plot area.
  function drawAxes(chart, x, y, options) {
    const format = options.format || formatNumber;
    const xAxis = svg("g", { class: "axis", transform: "translate(0," + chart.height + ")" }, chart.plot);
    svg("line", { x1: 0, x2: chart.width, y1: 0, y2: 0 }, xAxis);
    for (const tick of x.ticks(options.xTicks || 8)) {
      const px = x(tick);
      if (options.grid !== false && x.kind !== "band") svg("line", { class: "grid-line", x1: px, x2: px, y1: -chart.height, y2: 0 }, xAxis);
      svg("line", { x1: px, x2: px, y1: 0, y2: 5 }, xAxis);
      svg("text", { x: px, y: 17, "text-anchor": "middle" }, xAxis, typeof tick === "number" ? format(tick) : tick);
    }
    svg("text", { class: "axis-label", x: chart.width / 2, y: 36, "text-anchor": "middle" }, xAxis, options.xLabel);
    const yAxis = svg("g", { class: "axis" }, chart.plot);
    xAxis.parentNode.insertBefore(yAxis, xAxis);
    svg("line", { x1: 0, x2: 0, y1: 0, y2: chart.height }, yAxis);
    drawYTicks(yAxis, y, options.yTicks || 6, format, options.grid !== false ? chart.width : 0);
    svg("text", {
      class: "axis-label", transform: "translate(" + -(options.yLabelOffset || 48) + "," + chart.height / 2 + ") rotate(-90)",
      "text-anchor": "middle",
    }, yAxis, options.yLabel);
  }

  // A vertical axis's ticks and their labels on its left, with grid lines `gridWidth` long to its
  // right (none when 0, or for categories).
  function drawYTicks(axis, y, count, format, gridWidth) {
    for (const tick of y.ticks(count)) {
      const py = y(tick);
      if (gridWidth > 0 && y.kind !== "band") svg("line", { class: "grid-line", x1: 0, x2: gridWidth, y1: py, y2: py }, axis);
      svg("line", { x1: -5, x2: 0, y1: py, y2: py }, axis);
      svg("text", { x: -8, y: py + 4, "text-anchor": "end" }, axis, typeof tick === "number" ? format(tick) : tick);
    }
  }

  // A vertical color bar for values in [low, high].
  function drawColorBar(chart, low, high, label) {
    const bar = svg("g", { transform: "translate(" + (chart.width + 24) + ",0)" }, chart.plot);
    const steps = 40, height = chart.height;
    for (let i = 0; i < steps; ++i) {
      svg("rect", { x: 0, y: height - ((i + 1) * height) / steps, width: 14, height: height / steps + 0.5, fill: colormap(i / (steps - 1)) }, bar);
    }
    const ticks = high > low ? linearTicks(low, high, 5) : [low];
    for (const tick of ticks) {
      const py = high > low ? height - ((tick - low) / (high - low)) * height : height / 2;
      svg("line", { x1: 14, x2: 18, y1: py, y2: py, stroke: "#8893a0" }, bar);
      svg("text", { x: 21, y: py + 4 }, bar, formatNumber(tick));
    }
    svg("text", { class: "axis-label", transform: "translate(62," + height / 2 + ") rotate(90)", "text-anchor": "middle" }, bar, label);
  }

  // Beyond this many points a scatter is drawn as one path per colour (each point a zero-length
  // segment with round caps, i.e. a dot) and without a tooltip each: ten thousand circles take the
  // browser about a second to create and lay out, and are too dense to hover one by one anyway.
  const DENSE_POINTS = 2000;

  // `dots`: [x, y, colour] in pixels, drawn in order (later on top), as few paths as colours.
  function drawDots(parent, dots, radius, attributes) {
    const paths = new Map();
    for (const [px, py, color] of dots) {
      if (!paths.has(color)) paths.set(color, []);
      paths.get(color).push("M" + px.toFixed(1) + "," + py.toFixed(1) + "h0");
    }
    for (const [color, segments] of paths) {
      svg("path", Object.assign({ class: "dots", d: segments.join(""), fill: "none", stroke: color, "stroke-width": 2 * radius,
        "stroke-linecap": "round" }, attributes), parent);
    }
  }

  const axisTitle = (name, kind) => name + (kind === "log" ? " (log)" : "");
  const polyline = (points, x, y) => points.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" ");

  // ---- sections ---------------------------------------------------------------------------------

  function section(parent, title, caption) {
    const node = html("section", { class: "report-section" }, parent);
    html("h3", {}, node, title);
    if (caption) html("p", { class: "caption" }, node, caption);
    return node;
  }

  function note(parent, text) {
    html("p", { class: "note" }, parent, text);
  }

  function legendItem(list, color, text) {
    const item = html("li", {}, list);
    html("span", { class: "swatch", style: "background:" + color }, item);
    item.appendChild(document.createTextNode(text));
    return item;
  }

  function drawLossChart(holder, curves, logScale) {
    holder.textContent = "";
    const margin = { top: 12, right: 20, bottom: 46, left: 64 };
    const chart = makeChart(holder, 860, 380, margin);
    const steps = [], losses = [];
    for (const curve of curves) {
      for (const [step, loss] of curve.points) {
        steps.push(step);
        if (isNumber(loss) && (!logScale || loss > 0)) losses.push(loss);
      }
    }
    const kind = logScale ? "log" : "linear";
    const x = scale("linear", [0, Math.max(1, ...steps)], [0, chart.width]);
    const y = scale(kind, paddedDomain(kind, losses.length ? losses : [1]), [chart.height, 0]);
    drawAxes(chart, x, y, { xLabel: "step (minibatch updates)", yLabel: logScale ? "loss (log scale)" : "loss" });
    const group = svg("g", { class: "curves" }, chart.plot);
    curves.forEach((curve, index) => {
      const points = curve.points.filter((p) => isNumber(p[1]) && (!logScale || p[1] > 0));
      const line = svg("polyline", { class: "curve", "data-trial": curve.trial_id, stroke: classColor(index), points: polyline(points, x, y) }, group);
      tooltip(line, curve.name);
    });
  }

  function renderLossCurves(parent, experiment) {
    const data = experiment.loss_curves;
    const metric = METRIC_LABELS[experiment.metric];
    const node = section(parent, "Loss curves",
      "The full loss (data loss + regularization) of the top " + data.top + " trials by " + metric +
      ", one point per step; histories longer than 500 steps are averaged over equal runs of steps.");
    if (data.curves.length === 0) {
      note(node, "No trial has both a loss history and a " + metric + ".");
      return false;
    }
    const label = html("label", { class: "toggle" }, node);
    const checkbox = html("input", { type: "checkbox", class: "log-scale" }, label);
    checkbox.checked = !!data.log_scale;
    label.appendChild(document.createTextNode(" log-scale loss axis"));
    const row = html("div", { class: "chart-row" }, node);
    const holder = html("div", { class: "loss-chart" }, row);
    const legend = html("ul", { class: "legend" }, row);
    data.curves.forEach((curve, index) => {
      const item = legendItem(legend, classColor(index), curve.name + "  " + formatFixed(curve.metric, 4));
      const highlight = (on) => {
        for (const line of holder.querySelectorAll('.curve[data-trial="' + curve.trial_id + '"]')) line.classList.toggle("highlight", on);
      };
      item.addEventListener("mouseenter", () => highlight(true));
      item.addEventListener("mouseleave", () => highlight(false));
    });
    checkbox.addEventListener("change", () => {
      data.log_scale = checkbox.checked;  // a redraw (live updates) keeps the reader's choice
      drawLossChart(holder, data.curves, checkbox.checked);
    });
    drawLossChart(holder, data.curves, checkbox.checked);
    return true;
  }

  // A halving search: each trial's accuracy by epoch, ending where it stopped; dashed lines at the
  // rungs' epoch budgets; completed trials (those that trained every rung) drawn in colour.
  function renderEpochChart(parent, experiment) {
    const data = experiment.epoch_chart;
    if (!data) return false;
    const metric = METRIC_LABELS[data.metric];
    const shown = data.trials > data.limit
      ? " Of the " + data.trials + " trials, the " + data.limit + " best by " + metric + " are drawn."
      : "";
    const node = section(parent, metric.charAt(0).toUpperCase() + metric.slice(1) + " by epoch",
      "Each trial's " + metric + " after every epoch (" + experiment.strategy.replace("_", " ") + "): a pruned trial's line ends at its " +
      "rung's budget, the dashed lines. Completed trials, which trained every rung, are drawn in colour." + shown);
    if (data.lines.length === 0) {
      note(node, "No trial has epoch metrics yet.");
      return true;
    }
    const margin = { top: 22, right: 20, bottom: 46, left: 64 };
    const chart = makeChart(node, 860, 360, margin);
    const epochs = data.rungs.map((r) => r.epochs);
    const values = [];
    for (const line of data.lines) {
      for (const [epoch, value] of line.points) {
        epochs.push(epoch);
        if (isNumber(value)) values.push(value);
      }
    }
    const x = scale("linear", [0, Math.max(1, ...epochs)], [0, chart.width]);
    const yDomain = paddedDomain("linear", values.length ? values : [0, 1]);
    const y = scale("linear", [Math.max(0, yDomain[0]), Math.min(1, yDomain[1])], [chart.height, 0]);
    drawAxes(chart, x, y, { xLabel: "epoch", yLabel: metric, format: formatNumber });
    const budgets = svg("g", { class: "rung-budgets" }, chart.plot);
    for (const epochsAt of [...new Set(data.rungs.map((r) => r.epochs))]) {
      const rungs = data.rungs.filter((r) => r.epochs === epochsAt);
      const at = x(epochsAt);
      const line = svg("line", { class: "rung-budget", "data-epochs": epochsAt, x1: at, x2: at, y1: 0, y2: chart.height }, budgets);
      tooltip(line, rungs.map((r) => "bracket " + r.bracket + " rung " + r.rung + ": " + r.trials + " trial(s)").join("\n"));
      svg("text", { class: "rung-label", x: at, y: -6, "text-anchor": "middle" }, budgets, epochsAt + " ep");
    }
    // Completed trials last, so they lie on top.
    const lines = data.lines.slice().sort((a, b) => (a.status === "completed") - (b.status === "completed"));
    const group = svg("g", { class: "epoch-lines" }, chart.plot);
    for (const line of lines) {
      const points = line.points.filter((p) => isNumber(p[1]));
      if (points.length === 0) continue;
      const completed = line.status === "completed";
      const path = svg("polyline", {
        class: "epoch-line" + (completed ? " completed" : ""), "data-trial": line.trial_id,
        "data-last-epoch": line.points[line.points.length - 1][0], points: polyline(points, x, y),
      }, group);
      const last = points[points.length - 1];
      tooltip(path, line.name + " (" + line.status + (line.rung === null ? "" : " at rung " + line.rung) + "): " + formatFixed(last[1], 4));
      if (!completed) svg("circle", { class: "epoch-end", cx: x(last[0]), cy: y(last[1]), r: 3 }, group);
    }
    return true;
  }

  function renderHeatmap(parent, experiment) {
    const data = experiment.heatmap;
    if (!data) return false;
    const metric = METRIC_LABELS[experiment.metric];
    const over = data.best_over.length ? " Each cell shows the best trial over " + data.best_over.join(", ") + "." : "";
    const logAxes = data.x_scale === "log" && data.y_scale === "log";
    const node = section(parent, metric.charAt(0).toUpperCase() + metric.slice(1) + " over learning rate × regularization strength",
      (logAxes ? "Both axes are logarithmic, as in the course's cross-validation plots." : "") + over +
      (!data.grid && data.cells.length > DENSE_POINTS ? " With more than " + DENSE_POINTS + " points they have no " +
        "tooltips, and the best are drawn on top." : ""));
    const labels = { xLabel: axisTitle("learning rate", data.x_scale), yLabel: axisTitle("regularization strength", data.y_scale), yLabelOffset: 60 };
    const values = data.cells.map((c) => c.value).filter(isNumber);
    const low = values.length ? Math.min(...values) : 0, high = values.length ? Math.max(...values) : 1;
    const shade = (v) => (high > low ? (v - low) / (high - low) : 1);
    const margin = { top: 12, right: 100, bottom: 46, left: 72 };
    if (data.grid) {
      const chart = makeChart(node, Math.max(420, 130 + 92 * data.xs.length + 100), Math.max(240, 58 + 46 * data.ys.length), margin);
      const x = bandScale(data.xs, [0, chart.width]);
      const y = bandScale(data.ys.slice().reverse(), [0, chart.height]);
      const cells = svg("g", { class: "cells" }, chart.plot);
      for (const cell of data.cells) {
        const cx = x(cell.x), cy = y(cell.y);
        const filled = isNumber(cell.value);
        const rect = svg("rect", {
          class: "cell", x: cx - x.bandwidth / 2 + 1, y: cy - y.bandwidth / 2 + 1, width: x.bandwidth - 2, height: y.bandwidth - 2,
          fill: filled ? colormap(shade(cell.value)) : "#e3e6ea",
        }, cells);
        tooltip(rect, filled ? cell.trial + ": " + formatFixed(cell.value, 4) : cell.trials + " trial(s), none finished with a " + metric);
        svg("text", {
          x: cx, y: cy + 4, "text-anchor": "middle", "font-size": 12, fill: filled ? inkOn(shade(cell.value)) : "#5f6b7a",
        }, cells, filled ? formatFixed(cell.value, 3) : "—");
      }
      drawAxes(chart, x, y, Object.assign({ grid: false }, labels));
      drawColorBar(chart, low, high, metric);
    } else {
      const chart = makeChart(node, 640, 420, margin);
      const x = scale(data.x_scale, paddedDomain(data.x_scale, data.cells.map((c) => c.x)), [0, chart.width]);
      const y = scale(data.y_scale, paddedDomain(data.y_scale, data.cells.map((c) => c.y)), [chart.height, 0]);
      drawAxes(chart, x, y, labels);
      const dots = svg("g", { class: "cells" }, chart.plot);
      if (data.cells.length > DENSE_POINTS) {
        // Colours in 32 steps, so there are at most 33 paths; the best trials drawn last, on top.
        const step = (v) => (isNumber(v) ? Math.round(31 * shade(v)) : -1);
        const cells = data.cells.slice().sort((a, b) => step(a.value) - step(b.value));
        drawDots(dots, cells.map((c) => [x(c.x), y(c.y), step(c.value) < 0 ? "#c9ced6" : colormap(step(c.value) / 31)]), 4, {});
        drawColorBar(chart, low, high, metric);
        return true;
      }
      for (const cell of data.cells) {
        const filled = isNumber(cell.value);
        const dot = svg("circle", {
          class: "cell", cx: x(cell.x), cy: y(cell.y), r: 7, stroke: "#333", "stroke-width": 0.5,
          fill: filled ? colormap(shade(cell.value)) : "none",
        }, dots);
        tooltip(dot, "lr " + formatNumber(cell.x) + ", reg " + formatNumber(cell.y) + ": " + (filled ? formatFixed(cell.value, 4) : "no result"));
      }
      drawColorBar(chart, low, high, metric);
    }
    return true;
  }

  // The colour of a marginal point: by the sampler round that chose its trial, when there are rounds.
  const roundColor = (round) => (round === null || round === undefined ? "#2f6db5" : colormap(round));

  function renderMarginal(parent, marginal, metric, roundShade) {
    const box = html("div", { class: "marginal" }, parent);
    html("h4", {}, box, marginal.param);
    const margin = { top: 8, right: 14, bottom: 46, left: 56 };
    const chart = makeChart(box, 320, 230, margin);
    const points = marginal.points.filter((p) => isNumber(p.y));
    const failed = marginal.points.length - points.length;
    const key = (v) => (marginal.scale === "category" ? String(v) : v);
    const x = marginal.scale === "category"
      ? bandScale(marginal.categories, [0, chart.width])
      : scale(marginal.scale, paddedDomain(marginal.scale, marginal.points.map((p) => p.x)), [0, chart.width]);
    const yDomain = paddedDomain("linear", points.length ? points.map((p) => p.y) : [0, 1]);
    const y = scale("linear", [Math.max(0, yDomain[0]), Math.min(1, yDomain[1])], [chart.height, 0]);  // accuracies
    drawAxes(chart, x, y, { xLabel: axisTitle(marginal.param, marginal.scale), yLabel: metric, xTicks: 5, yTicks: 5, format: formatNumber, yLabelOffset: 42 });
    // The best value at each setting, connected: the envelope a tuner reads.
    const best = new Map();
    for (const p of points) {
      const k = key(p.x);
      if (!best.has(k) || p.y > best.get(k)[1]) best.set(k, [p.x, p.y]);
    }
    const envelope = Array.from(best.values()).map((p) => [key(p[0]), p[1]]);
    if (marginal.scale !== "category") envelope.sort((a, b) => a[0] - b[0]);
    svg("polyline", { fill: "none", stroke: "#2f6db5", "stroke-width": 1.5, points: polyline(envelope, x, y) }, chart.plot);
    if (points.length > DENSE_POINTS) {
      const colorOf = (p) => (roundShade && isNumber(p.round) ? roundColor(roundShade(p.round)) : "#2f6db5");
      drawDots(chart.plot, points.map((p) => [x(key(p.x)), y(p.y), colorOf(p)]), 3.5, { "stroke-opacity": roundShade ? 0.8 : 0.45 });
    } else {
      for (const p of points) {
        const rounds = roundShade && isNumber(p.round);
        const dot = svg("circle", {
          cx: x(key(p.x)), cy: y(p.y), r: 3.5, fill: rounds ? roundColor(roundShade(p.round)) : "#2f6db5",
          "fill-opacity": rounds ? 0.8 : 0.45, stroke: "#1d4f8c", "stroke-width": 0.6, "data-round": rounds ? p.round : null,
        }, chart.plot);
        tooltip(dot, p.trial + (rounds ? " (round " + p.round + ")" : "") + ": " + formatFixed(p.y, 4));
      }
    }
    if (failed > 0) html("p", { class: "note" }, box, failed + " trial(s) without a " + metric + " (" + [...new Set(marginal.points.filter((p) => !isNumber(p.y)).map((p) => p.status))].join(", ") + ")");
  }

  function renderMarginals(parent, experiment) {
    if (experiment.marginals.length === 0) return false;
    const metric = METRIC_LABELS[experiment.metric];
    const rounds = experiment.rounds || [];
    const node = section(parent, "Marginal plots",
      "Every trial's " + metric + " against each swept parameter; the line joins the best trial at each value." +
      (experiment.marginals.some((m) => m.points.length > DENSE_POINTS) ? " With more than " + DENSE_POINTS +
        " trials the points have no tooltips (the table has every trial)." : "") +
      (rounds.length ? " Points are coloured by the sampler round that chose the trial (grey-blue: no round)." : ""));
    let roundShade = null;
    if (rounds.length) {
      const first = rounds[0].round, last = rounds[rounds.length - 1].round;
      roundShade = (round) => (last > first ? (round - first) / (last - first) : 0);
      const legend = html("ul", { class: "legend round-legend" }, node);
      for (const round of rounds) {
        legendItem(legend, roundColor(roundShade(round.round)), "round " + round.round + ": " + round.trials + " trial(s)" +
          (round.best === null ? "" : ", best " + round.best + " " + formatFixed(round.metric, 4)));
      }
    }
    const grid = html("div", { class: "marginals" }, node);
    for (const marginal of experiment.marginals) renderMarginal(grid, marginal, metric, roundShade);
    return true;
  }

  // Parameter importance (losslab-report computes the shares: param_importance.cpp): one bar per
  // swept parameter, in the server's rank order, with a tick at the share chance alone would give.
  function renderImportance(parent, experiment) {
    const data = experiment.importance;
    if (!data || experiment.swept.length === 0) return false;
    const metric = METRIC_LABELS[data.metric];
    const node = section(parent, "Parameter importance",
      "The share of the variance of " + metric + " over the " + data.trials + " completed trials (mean " +
      formatFixed(data.mean, 4) + ", standard deviation " + formatFixed(data.stddev, 4) + ") that each swept " +
      "parameter explains on its own: the variance of the mean " + metric + " per value of the parameter " +
      "(per quantile bin for a number with many values), over the total. A grey tick marks what a parameter " +
      "that does not matter gets by chance with as many groups.");
    if (data.note) {
      note(node, data.note);
      return false;
    }
    const shares = data.shares.slice().sort((a, b) => a.rank - b.rank);
    const longest = Math.max(...shares.map((s) => s.param.length));
    const margin = { top: 8, right: 70, bottom: 46, left: Math.min(200, 20 + 7 * longest) };
    const chart = makeChart(node, 640, margin.top + margin.bottom + 30 * shares.length + 8, margin);
    const x = scale("linear", [0, 1], [0, chart.width]);
    const y = bandScale(shares.map((s) => s.param), [0, chart.height]);
    const percent = (v) => (100 * v).toFixed(1) + "%";
    drawAxes(chart, x, y, { xLabel: "share of the variance of " + metric, format: (v) => formatNumber(100 * v) + "%", xTicks: 5 });
    const bars = svg("g", { class: "importance-bars" }, chart.plot);
    const band = Math.min(22, y.bandwidth - 6);
    for (const share of shares) {
      const top = y(share.param) - band / 2;
      const bar = svg("rect", {
        class: "importance-bar", "data-param": share.param, "data-rank": share.rank, "data-share": share.share,
        x: 0, y: top, width: Math.max(0, x(share.share)), height: band, fill: PALETTE[0],
      }, bars);
      tooltip(bar, share.param + ": " + formatFixed(share.share, 4) + " of the variance; " + share.groups +
        (share.binned ? " quantile bins" : " values") + ", chance " + formatFixed(share.chance, 4));
      svg("line", { class: "importance-chance", x1: x(share.chance), x2: x(share.chance), y1: top - 3, y2: top + band + 3 }, bars);
      svg("text", { class: "importance-label", x: x(share.share) + 6, y: top + band / 2 + 4 }, bars, percent(share.share));
    }
    html("p", { class: "caption" }, node, "The rest, " + percent(data.rest) + ", is left to interactions between " +
      "parameters and to noise (a seed's, for one).");
    return true;
  }

  // ---- parallel coordinates -----------------------------------------------------------------------
  // One vertical axis per swept parameter, on its marginal plot's scale (log, linear or category),
  // and one for the ranking metric; one line per search trial. Dragging along an axis brushes a
  // range: the lines and the trial table keep the trials inside every brushed range. The ranges
  // live in experiment.brushes (by axis name, in the data's units), so a redraw (live updates)
  // keeps them; a change is announced to the experiment's other views by a "losslab-brush" event.

  // The value a trial has on an axis: the metric, or a parameter (null when the trial lacks it).
  function axisValue(experiment, name, trial) {
    if (name === experiment.metric) return trial[name];
    return name in trial.params ? trial.params[name] : null;
  }

  // Whether a trial lies inside every brushed range; a missing value is inside none.
  function matchesBrushes(experiment, trial) {
    for (const [name, brush] of Object.entries(experiment.brushes || {})) {
      const value = axisValue(experiment, name, trial);
      if (brush.categories) {
        if (value === null || value === undefined || !brush.categories.includes(String(value))) return false;
      } else if (!isNumber(value) || value < brush.low || value > brush.high) {
        return false;
      }
    }
    return true;
  }

  const hasBrushes = (experiment) => Object.keys(experiment.brushes || {}).length > 0;

  // The axes, each with its scale over [height, 0] (categories from the top) and `at(trial)`: the
  // trial's y, or null.
  function parallelAxes(experiment, trials, height) {
    const axes = experiment.marginals.map((m) => ({ name: m.param, kind: m.scale, categories: m.categories }));
    axes.push({ name: experiment.metric, kind: "linear", metric: true });
    for (const axis of axes) {
      if (axis.kind === "category") {
        axis.y = bandScale(axis.categories, [0, height]);
      } else {
        const values = trials.map((t) => axisValue(experiment, axis.name, t)).filter((v) => isNumber(v) && (axis.kind !== "log" || v > 0));
        let domain = paddedDomain(axis.kind, values.length ? values : [0, 1]);
        if (axis.metric) domain = [Math.max(0, domain[0]), Math.min(1, domain[1])];  // accuracies
        axis.y = scale(axis.kind, domain, [height, 0]);
      }
      axis.at = (trial) => {
        const value = axisValue(experiment, axis.name, trial);
        if (axis.kind === "category") return value === null || !axis.categories.includes(String(value)) ? null : axis.y(String(value));
        return isNumber(value) && (axis.kind !== "log" || value > 0) ? axis.y(value) : null;
      };
    }
    return axes;
  }

  // The brush an axis gets from a drag between chart heights y0 and y1.
  function brushFromDrag(axis, y0, y1) {
    const top = Math.min(y0, y1), bottom = Math.max(y0, y1);
    if (axis.kind === "category") return { categories: axis.categories.filter((c) => axis.y(c) >= top && axis.y(c) <= bottom) };
    const ends = [axis.y.invert(top), axis.y.invert(bottom)];
    return { low: Math.min(...ends), high: Math.max(...ends) };
  }

  // The chart heights a brush covers on its axis: [top, bottom].
  function brushExtent(axis, brush) {
    if (brush.categories) {
      const centers = brush.categories.map((c) => axis.y(c));
      if (centers.length === 0) return [0, 0];
      const half = Math.abs(axis.y.bandwidth) / 2;
      return [Math.min(...centers) - half, Math.max(...centers) + half];
    }
    const ends = [axis.y(brush.low), axis.y(brush.high)];
    return [Math.min(...ends), Math.max(...ends)];
  }

  function renderParallelCoordinates(parent, experiment) {
    if (experiment.marginals.length === 0) return false;
    const metric = METRIC_LABELS[experiment.metric];
    const node = section(parent, "Parallel coordinates",
      "One line per trial through its value of every swept parameter and its " + metric + " (the line's colour, " +
      "dark to light as it grows). Drag along an axis to keep only the trials in that range, here and in the trial " +
      "table; drag on several axes to combine ranges; click an axis to clear its range.");
    const status = html("p", { class: "pc-status" }, node);
    const clear = html("button", { type: "button", class: "pc-clear" }, status, "clear ranges");
    const count = html("span", { class: "pc-count" }, status);
    // The search's trials (as in the marginal plots), the best drawn last, on top.
    const rank = (t) => (isNumber(t[experiment.metric]) ? t[experiment.metric] : -Infinity);
    const trials = experiment.trials.filter((t) => !isNumber(t.refit_of)).sort((a, b) => rank(a) - rank(b) || a.id - b.id);
    const axisCount = experiment.marginals.length + 1;
    const margin = { top: 36, right: 70, bottom: 12, left: 70 };
    const chart = makeChart(node, Math.min(1240, Math.max(760, 170 * (axisCount - 1) + 140)), 400, margin);
    chart.root.classList.add("parallel-coordinates");
    const axes = parallelAxes(experiment, trials, chart.height);
    const xAt = (i) => (i * chart.width) / (axes.length - 1);
    // Ranges on axes the experiment no longer has are dropped.
    const brushes = {};
    for (const axis of axes) if (experiment.brushes && experiment.brushes[axis.name]) brushes[axis.name] = experiment.brushes[axis.name];
    experiment.brushes = brushes;

    const metricValues = trials.map((t) => t[experiment.metric]).filter(isNumber);
    const low = Math.min(...metricValues), high = Math.max(...metricValues);
    const lines = svg("g", { class: "pc-lines" }, chart.plot);
    const drawn = [];
    for (const trial of trials) {
      let path = "", pen = false;  // a missing value breaks the line
      axes.forEach((axis, i) => {
        const y = axis.at(trial);
        if (y !== null) path += (pen ? "L" : "M") + xAt(i).toFixed(1) + "," + y.toFixed(1);
        pen = y !== null;
      });
      if (!path) continue;
      const value = trial[experiment.metric];
      const line = svg("path", {
        class: "pc-line", "data-trial": trial.id, d: path,
        stroke: isNumber(value) ? colormap(high > low ? (value - low) / (high - low) : 1) : "#9aa3ad",
      }, lines);
      tooltip(line, trial.name + ": " + formatFixed(value, 4));
      drawn.push({ trial: trial, line: line });
    }

    const brushRects = new Map();
    function update() {
      let inside = 0;
      for (const { trial, line } of drawn) {
        const kept = matchesBrushes(experiment, trial);
        line.classList.toggle("dimmed", !kept);
        inside += kept;
      }
      for (const axis of axes) {
        const brush = experiment.brushes[axis.name], rect = brushRects.get(axis.name);
        rect.parentNode.dataset.brush = brush ? (brush.categories ? brush.categories.join(",") : brush.low + " " + brush.high) : "";
        if (!brush) {
          rect.setAttribute("visibility", "hidden");
          continue;
        }
        const [top, bottom] = brushExtent(axis, brush);
        rect.setAttribute("y", top);
        rect.setAttribute("height", Math.max(1, bottom - top));
        rect.setAttribute("visibility", "visible");
      }
      count.textContent = hasBrushes(experiment) ? " " + inside + " of " + drawn.length + " lines inside the ranges" : "";
      clear.disabled = !hasBrushes(experiment);
    }
    function changed() {
      update();
      parent.dispatchEvent(new CustomEvent("losslab-brush"));
    }
    clear.addEventListener("click", () => {
      experiment.brushes = {};
      changed();
    });

    axes.forEach((axis, i) => {
      const group = svg("g", {
        class: "axis pc-axis", "data-param": axis.name, "data-scale": axis.kind, transform: "translate(" + xAt(i) + ",0)",
        "data-domain": axis.kind === "category" ? null : axis.y.domain.join(" "),
      }, chart.plot);
      svg("line", { x1: 0, x2: 0, y1: 0, y2: chart.height }, group);
      drawYTicks(group, axis.y, 6, formatNumber, 0);
      svg("text", { class: "axis-label", x: 0, y: -16, "text-anchor": "middle" }, group,
        axisTitle(axis.metric ? metric : axis.name, axis.kind));
      brushRects.set(axis.name, svg("rect", { class: "pc-brush", x: -9, width: 18, y: 0, height: 0 }, group));
      const area = svg("rect", { class: "pc-brush-area", x: -14, width: 28, y: 0, height: chart.height }, group);
      area.addEventListener("mousedown", (event) => {
        event.preventDefault();
        const top = area.getBoundingClientRect().top;
        const at = (e) => Math.min(chart.height, Math.max(0, e.clientY - top));
        const start = at(event);
        const move = (e) => {
          const rect = brushRects.get(axis.name);
          rect.setAttribute("y", Math.min(start, at(e)));
          rect.setAttribute("height", Math.abs(at(e) - start));
          rect.setAttribute("visibility", "visible");
        };
        const up = (e) => {
          document.removeEventListener("mousemove", move);
          document.removeEventListener("mouseup", up);
          if (Math.abs(at(e) - start) < 3) delete experiment.brushes[axis.name];  // a click clears
          else experiment.brushes[axis.name] = brushFromDrag(axis, start, at(e));
          changed();
        };
        document.addEventListener("mousemove", move);
        document.addEventListener("mouseup", up);
      });
    });
    update();
    return true;
  }

  // ---- compare ------------------------------------------------------------------------------------
  // The trials ticked in the table's compare column (experiment.compare: their ids, kept by a
  // redraw) side by side: loss and accuracy by epoch overlaid, one colour per trial, and their
  // parameters and results in a table with the differing parameters highlighted. A tick announces
  // itself to the compare section by a "losslab-compare" event.

  const MAX_COMPARED = 4;

  function comparedTrials(experiment) {
    return (experiment.compare || []).map((id) => experiment.trials.find((t) => t.id === id)).filter(Boolean);
  }

  // The table's compare column: its header, and a checkbox per row.
  function compareColumn(parent, experiment, headRow) {
    experiment.compare = comparedTrials(experiment).map((t) => t.id);
    html("th", { scope: "col", class: "compare-column", title: "tick 2 to " + MAX_COMPARED + " trials to compare them" }, headRow, "compare");
    const boxes = [];
    const limit = () => {
      const full = experiment.compare.length >= MAX_COMPARED;
      for (const box of boxes) box.disabled = full && !box.checked;
    };
    return (row, trial) => {
      const box = html("input", { type: "checkbox", class: "compare-pick", "data-trial": trial.id, title: "compare this trial" }, html("td", {}, row));
      box.checked = experiment.compare.includes(trial.id);
      box.addEventListener("change", () => {
        experiment.compare = box.checked ? experiment.compare.concat([trial.id]) : experiment.compare.filter((id) => id !== trial.id);
        limit();
        parent.dispatchEvent(new CustomEvent("losslab-compare"));
      });
      boxes.push(box);
      limit();
    };
  }

  // The trials' `series` (each a column of the epoch points: 1 loss, 2 training accuracy, 3
  // validation accuracy, and a dash pattern) against the epoch.
  function drawCompareChart(parent, kind, trials, curves, series, label) {
    const margin = { top: 12, right: 16, bottom: 46, left: 64 };
    const chart = makeChart(parent, 520, 300, margin);
    chart.root.classList.add(kind);
    const epochs = [], values = [];
    for (const trial of trials) {
      for (const point of curves.get(trial.id) || []) {
        epochs.push(point[0]);
        for (const s of series) if (isNumber(point[s.column])) values.push(point[s.column]);
      }
    }
    const accuracy = series.every((s) => s.column >= 2);
    // Losses that span decades (a trial that nearly diverged) are drawn on a log axis.
    const yKind = !accuracy && values.length && Math.min(...values) > 0 && Math.max(...values) > 50 * Math.min(...values) ? "log" : "linear";
    let domain = paddedDomain(yKind, values.length ? values : [0, 1]);
    if (accuracy) domain = [Math.max(0, domain[0]), Math.min(1, domain[1])];
    const x = scale("linear", [0, Math.max(1, ...epochs)], [0, chart.width]);
    const y = scale(yKind, domain, [chart.height, 0]);
    drawAxes(chart, x, y, { xLabel: "epoch", yLabel: axisTitle(label, yKind) });
    const group = svg("g", { class: "compare-curves" }, chart.plot);
    trials.forEach((trial, index) => {
      for (const s of series) {
        const points = (curves.get(trial.id) || []).filter((p) => isNumber(p[s.column]) && (yKind !== "log" || p[s.column] > 0))
          .map((p) => [p[0], p[s.column]]);
        if (points.length === 0) continue;
        const line = svg("polyline", {
          class: "compare-curve", "data-trial": trial.id, "data-series": s.name, stroke: classColor(index),
          "stroke-dasharray": s.dash, points: polyline(points, x, y),
        }, group);
        tooltip(line, trial.name + ": " + s.name);
        // A single epoch is a point, which a polyline does not show.
        if (points.length === 1) svg("circle", { cx: x(points[0][0]), cy: y(points[0][1]), r: 3, fill: classColor(index) }, group);
      }
    });
  }

  // Parameters (highlighted where the trials differ) and results, one column per trial.
  function drawCompareTable(parent, experiment, trials) {
    const table = html("table", { class: "compare-params" }, parent);
    const head = html("tr", {}, html("thead", {}, table));
    html("th", {}, head, "");
    trials.forEach((trial, index) => {
      const th = html("th", { "data-trial": trial.id }, head);
      html("span", { class: "swatch", style: "background:" + classColor(index) }, th);
      th.appendChild(document.createTextNode("trial " + trial.id + " " + trial.name));
    });
    const body = html("tbody", {}, table);
    const addRow = (name, value, format, marked) => {
      const values = trials.map(value);
      const differs = marked && new Set(values.map((v) => JSON.stringify(v === undefined ? null : v))).size > 1;
      const row = html("tr", { class: differs ? "differs" : null, "data-name": name }, body);
      html("th", { scope: "row" }, row, name);
      for (const v of values) html("td", {}, row, typeof v === "number" ? format(v) : v === null || v === undefined ? "—" : String(v));
    };
    for (const name of experiment.swept) addRow(name, (t) => (name in t.params ? t.params[name] : null), formatNumber, true);
    addRow("status", (t) => t.status, String, false);
    for (const metric of ["val_accuracy", "test_accuracy", "train_accuracy"]) addRow(metric, (t) => t[metric], (v) => formatFixed(v, 4), false);
    addRow("final_loss", (t) => t.final_loss, formatNumber, false);
    addRow("epochs", (t) => t.epochs_done, String, false);
    for (const name of ["rung", "round"]) {
      if (trials.some((t) => isNumber(t[name]))) addRow(name, (t) => t[name], String, false);
    }
  }

  function drawCompare(holder, experiment) {
    holder.textContent = "";
    const trials = comparedTrials(experiment);
    holder.dataset.trials = trials.map((t) => t.id).join(",");
    if (trials.length < 2) {
      note(holder, trials.length === 0 ? "No trial ticked yet." : "Tick at least one more trial.");
      return;
    }
    const curves = new Map((experiment.epoch_curves || []).map((c) => [c.trial_id, c.points]));
    const legend = html("ul", { class: "legend compare-legend" }, holder);
    trials.forEach((trial, index) => legendItem(legend, classColor(index), "trial " + trial.id + ": " + trial.name));
    const row = html("div", { class: "chart-row" }, holder);
    drawCompareChart(row, "compare-loss", trials, curves, [{ column: 1, name: "mean loss", dash: null }], "mean minibatch loss");
    const accuracy = [{ column: 3, name: "validation accuracy", dash: null }, { column: 2, name: "training accuracy", dash: "5 4" }];
    drawCompareChart(row, "compare-accuracy", trials, curves, accuracy, "accuracy (solid: validation, dashed: training)");
    drawCompareTable(holder, experiment, trials);
  }

  function renderCompare(parent, experiment) {
    if (experiment.trials.length < 2) return false;
    const node = section(parent, "Compare trials",
      "Tick 2 to " + MAX_COMPARED + " trials in the table's compare column: their loss (each epoch's mean minibatch loss) " +
      "and accuracy by epoch are overlaid, and their parameters and results shown side by side, the parameters " +
      "that differ highlighted.");
    const holder = html("div", { class: "compare-view" }, node);
    parent.addEventListener("losslab-compare", () => drawCompare(holder, experiment));
    drawCompare(holder, experiment);
    return true;
  }

  // Nulls sort last in both directions; numbers compare as numbers.
  function compareCells(a, b, direction) {
    const missing = (v) => v === null || v === undefined || v === "";
    if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
    if (typeof a === "number" && typeof b === "number") return direction * (a - b);
    return direction * String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  // A long trial table is shown a page of rows at a time: a browser lays out ten thousand rows
  // for seconds, a page of them at once.
  const TABLE_PAGE_ROWS = 100;
  const pageCount = (rows) => Math.max(1, Math.ceil(rows / TABLE_PAGE_ROWS));
  const pageOf = (list, page) => list.slice(page * TABLE_PAGE_ROWS, (page + 1) * TABLE_PAGE_ROWS);

  // "Rows 101-200 of 10000" with buttons to the first, previous, next and last page; nothing
  // when every row fits on one page. `page` past the end (rows went away) shows the last page.
  function renderPager(pager, page, rows, showPage) {
    pager.textContent = "";
    const last = pageCount(rows) - 1;
    if (last === 0) return;
    if (page > last) return showPage(last);
    const button = (text, target, title) => {
      const node = html("button", { type: "button", class: "page-" + title.split(" ")[0], title: title }, pager, text);
      node.disabled = target === page || target < 0 || target > last;
      node.addEventListener("click", () => showPage(target));
    };
    button("«", 0, "first page");
    button("‹", page - 1, "previous page");
    html("span", { class: "page-rows" }, pager, " rows " + (page * TABLE_PAGE_ROWS + 1) + "–" +
      Math.min(rows, (page + 1) * TABLE_PAGE_ROWS) + " of " + rows + " ");
    button("›", page + 1, "next page");
    button("»", last, "last page");
  }

  function renderTable(parent, experiment) {
    const node = section(parent, "Trials", "Click a column header to sort by it (again to reverse). The best trial is highlighted. " +
      "Tick trials in the compare column to compare them below." +
      (experiment.trials.length > TABLE_PAGE_ROWS ? " The rows are shown " + TABLE_PAGE_ROWS + " at a time." : ""));
    if (experiment.trials.length === 0) {
      note(node, "This experiment has no trials.");
      return true;
    }
    const best = experiment.best ? experiment.best.id : null;
    const columns = [
      { title: "id", value: (t) => t.id, numeric: true },
      { title: "name", value: (t) => t.name },
      { title: "status", value: (t) => t.status },
      ...experiment.swept.map((name) => ({ title: name, value: (t) => (name in t.params ? t.params[name] : null), numeric: true, format: formatNumber })),
      { title: "val_accuracy", value: (t) => t.val_accuracy, numeric: true, format: (v) => formatFixed(v, 4) },
      { title: "train_accuracy", value: (t) => t.train_accuracy, numeric: true, format: (v) => formatFixed(v, 4) },
      { title: "test_accuracy", value: (t) => t.test_accuracy, numeric: true, format: (v) => formatFixed(v, 4) },
      { title: "final_loss", value: (t) => t.final_loss, numeric: true, format: formatNumber },
      { title: "epochs", value: (t) => t.epochs_done, numeric: true },
      { title: "seconds", value: (t) => t.train_seconds, numeric: true, format: (v) => formatFixed(v, 2) },
      // Only where some trial has one: a halving search's rung, an adaptive sampler's round.
      ...["rung", "round"].filter((name) => experiment.trials.some((t) => t[name] !== null && t[name] !== undefined))
        .map((name) => ({ title: name, value: (t) => (t[name] === undefined ? null : t[name]), numeric: true })),
    ];
    const filtered = html("p", { class: "table-filter" }, node);
    const wrap = html("div", { class: "table-wrap" }, node);
    const table = html("table", { class: "trials" }, wrap);
    const headRow = html("tr", {}, html("thead", {}, table));
    const body = html("tbody", {}, table);
    const pager = html("p", { class: "pager" }, node);
    const comparePick = compareColumn(parent, experiment, headRow);
    const rowOf = (trial) => {
      const row = html("tr", { "data-trial": trial.id, class: trial.id === best ? "best" : null });
      comparePick(row, trial);
      for (const column of columns) {
        const value = column.value(trial);
        const cell = html("td", { class: typeof value === "number" ? "num" : null }, row,
          column.format && typeof value === "number" ? column.format(value) : value === null ? "—" : String(value));
        if (column.title === "status") {
          cell.textContent = "";
          html("span", { class: "status status-" + trial.status }, cell, trial.status);
          // A refit trained on the validation data: it has no validation accuracy and is not ranked.
          if (isNumber(trial.refit_of)) html("span", { class: "status status-refit", title: "refit of trial " + trial.refit_of }, cell, "refit");
          if (trial.error) cell.title = trial.error;
        }
      }
      return row;
    };
    const order = experiment.trials.slice();  // sorted by the column clicked
    let shown = order;                        // of them, the trials inside the brushed ranges
    const filterRows = () => {
      shown = hasBrushes(experiment) ? order.filter((trial) => matchesBrushes(experiment, trial)) : order;
    };
    const showPage = (page) => {
      experiment.tablePage = page;  // kept by a redraw (live updates), like the sort
      body.textContent = "";
      for (const trial of pageOf(shown, page)) body.appendChild(rowOf(trial));
      renderPager(pager, page, shown.length, showPage);
    };
    let sortedBy = null, direction = -1;
    function sortBy(index, page) {
      direction = sortedBy === index ? -direction : (columns[index].numeric ? -1 : 1);
      sortedBy = index;
      const column = columns[index];
      experiment.tableSort = { title: column.title, direction: direction };  // kept by a redraw (live updates)
      order.sort((a, b) => compareCells(column.value(a), column.value(b), direction) || a.id - b.id);
      filterRows();
      showPage(page || 0);
      columns.forEach((other, i) => {
        other.th.classList.toggle("sorted-asc", i === index && direction > 0);
        other.th.classList.toggle("sorted-desc", i === index && direction < 0);
      });
    }
    columns.forEach((column, index) => {
      column.th = html("th", { scope: "col", title: "sort by " + column.title }, headRow, column.title);
      column.th.addEventListener("click", () => sortBy(index));
    });
    // The ranges brushed in the parallel coordinates leave out the rows outside them.
    const applyBrushes = () => {
      filterRows();
      filtered.textContent = hasBrushes(experiment)
        ? shown.length + " of " + order.length + " trials are inside the ranges brushed in the parallel coordinates." : "";
    };
    parent.addEventListener("losslab-brush", () => {
      applyBrushes();
      showPage(0);
    });
    applyBrushes();
    const kept = experiment.tableSort ? columns.findIndex((c) => c.title === experiment.tableSort.title) : -1;
    if (kept >= 0) [sortedBy, direction] = [kept, -experiment.tableSort.direction];
    sortBy(kept >= 0 ? kept : columns.findIndex((c) => c.title === experiment.metric), experiment.tablePage);
    return true;
  }

  // The best trial's confusion matrix: rows are the true classes, columns the predicted ones; each
  // cell is shaded by its share of its row (so classes of any size compare), and each row ends with
  // the class's accuracy (its recall: the diagonal over the row).
  function renderConfusion(parent, experiment) {
    const data = experiment.confusion;
    if (!data) return false;
    const split = data.split === "val" ? "validation" : "test";
    const node = section(parent, "Confusion matrix of the best trial",
      data.trial + " on the " + split + " split: accuracy " + formatFixed(data.accuracy, 4) + ", macro-F1 " +
      formatFixed(data.macro_f1, 4) + ". Rows are the true classes, columns the predicted ones; a cell's shade is " +
      "its share of the row, and the column on the right is each class's accuracy (recall).");
    const names = data.class_names;
    const longest = Math.max(...names.map((name) => name.length));
    const cell = names.length <= 12 ? 44 : Math.max(16, Math.floor(528 / names.length));
    const margin = { top: 24, right: 120, bottom: Math.min(140, 30 + 6 * longest), left: Math.min(160, 36 + 7 * longest) };
    const side = cell * names.length;
    const chart = makeChart(node, margin.left + side + margin.right, margin.top + side + margin.bottom, margin);
    const cells = svg("g", { class: "confusion" }, chart.plot);
    data.counts.forEach((row, truth) => {
      const support = row.reduce((sum, count) => sum + count, 0);
      row.forEach((count, predicted) => {
        const share = support > 0 ? count / support : 0;
        const rect = svg("rect", {
          class: "confusion-cell", x: predicted * cell + 1, y: truth * cell + 1, width: cell - 2, height: cell - 2,
          fill: colormap(share),
        }, cells);
        tooltip(rect, "true " + names[truth] + ", predicted " + names[predicted] + ": " + count + " of " + support);
        if (cell >= 28) {
          svg("text", { x: (predicted + 0.5) * cell, y: (truth + 0.5) * cell + 4, "text-anchor": "middle", "font-size": 11, fill: inkOn(share) },
            cells, String(count));
        }
      });
      svg("text", { x: -8, y: (truth + 0.5) * cell + 4, "text-anchor": "end" }, cells, names[truth]);
      const accuracy = data.classes[truth].accuracy;
      svg("text", { class: "class-accuracy", x: side + 12, y: (truth + 0.5) * cell + 4 }, cells,
        isNumber(accuracy) ? (100 * accuracy).toFixed(1) + "%" : "—");
    });
    names.forEach((name, predicted) => {
      const x = (predicted + 0.5) * cell;
      svg("text", { x: x, y: side + 14, "text-anchor": "end", transform: "rotate(-40 " + x + " " + (side + 14) + ")" }, cells, name);
    });
    svg("text", { class: "axis-label", x: side + 12, y: -8 }, cells, "class accuracy");
    svg("text", { class: "axis-label", x: side / 2, y: side + margin.bottom - 6, "text-anchor": "middle" }, cells, "predicted class");
    svg("text", { class: "axis-label", transform: "translate(" + -(margin.left - 12) + "," + side / 2 + ") rotate(-90)", "text-anchor": "middle" },
      cells, "true class");
    return true;
  }

  function renderTemplates(parent, experiment) {
    const data = experiment.templates;
    if (!data) return false;
    const node = section(parent, "Learned templates of the best trial",
      "Each class's row of W (" + experiment.best.name + ", " + METRIC_LABELS[experiment.metric] + " " +
      formatFixed(experiment.best.metric, 4) + ") drawn as an image, bias left out, scaled to 0..255 with the " +
      "minimum and maximum over all classes: bright pixels raise the class's score, dark ones lower it.");
    const grid = html("div", { class: "templates" }, node);
    data.pixels.forEach((pixels, index) => {
      const figure = html("figure", { "data-class": index }, grid);
      const canvas = html("canvas", { width: data.width, height: data.height, class: "template" }, figure);
      const context = canvas.getContext("2d");
      const image = context.createImageData(data.width, data.height);
      for (let p = 0; p < data.width * data.height; ++p) {
        for (let k = 0; k < 3; ++k) image.data[4 * p + k] = pixels[p * data.channels + (data.channels === 3 ? k : 0)];
        image.data[4 * p + 3] = 255;
      }
      context.putImageData(image, 0, 0);
      html("figcaption", {}, figure, data.class_names[index]);
    });
    return true;
  }

  // The line where a class's score is zero, clipped to the plot's box: [[x0, y0], [x1, y1]] or null.
  function clipZeroLine(line, box) {
    const [a, b, c] = line;
    const hits = [];
    if (b !== 0) for (const x of [box.x0, box.x1]) hits.push([x, -(a * x + c) / b]);
    if (a !== 0) for (const y of [box.y0, box.y1]) hits.push([-(b * y + c) / a, y]);
    const inside = hits.filter(([x, y]) => x >= box.x0 - 1e-9 && x <= box.x1 + 1e-9 && y >= box.y0 - 1e-9 && y <= box.y1 + 1e-9);
    if (inside.length < 2) return null;
    inside.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    return [inside[0], inside[inside.length - 1]];
  }

  function renderDecisionRegions(parent, experiment) {
    const data = experiment.decision_regions;
    if (!data) return false;
    const node = section(parent, "Decision regions of the best trial",
      "argmax of W\u1d40[x, y, 1] over the preprocessed 2-D data (" + experiment.best.name + ", " +
      METRIC_LABELS[experiment.metric] + " " + formatFixed(experiment.best.metric, 4) + "), as in the lecture's " +
      "web demo: each line is where a class's score is zero, its arrow points where the score grows. " +
      "Filled points are training examples, rings validation and test examples.");
    const row = html("div", { class: "chart-row" }, node);
    const margin = { top: 10, right: 16, bottom: 46, left: 56 };
    const chart = makeChart(row, 540, 530, margin);
    const x = scale("linear", [data.x_min, data.x_max], [0, chart.width]);
    const y = scale("linear", [data.y_min, data.y_max], [chart.height, 0]);

    // The grid's labels as a small bitmap (first row of `labels` is the bottom), scaled up.
    const canvas = document.createElement("canvas");
    canvas.width = data.nx;
    canvas.height = data.ny;
    const context = canvas.getContext("2d");
    const image = context.createImageData(data.nx, data.ny);
    const tints = data.class_names.map((_, c) => {
      const color = classColor(c);
      const rgb = color.startsWith("#") ? hexToRgb(color) : [200, 200, 200];
      return rgb.map((v) => Math.round(255 - (255 - v) * 0.45));
    });
    for (let j = 0; j < data.ny; ++j) {
      for (let i = 0; i < data.nx; ++i) {
        const tint = tints[data.labels[j * data.nx + i]] || [255, 255, 255];
        const offset = 4 * ((data.ny - 1 - j) * data.nx + i);
        image.data.set([tint[0], tint[1], tint[2], 255], offset);
      }
    }
    context.putImageData(image, 0, 0);
    const regions = svg("g", { class: "regions" }, chart.plot);
    svg("image", { href: canvas.toDataURL("image/png"), x: 0, y: 0, width: chart.width, height: chart.height, preserveAspectRatio: "none" }, regions);
    drawAxes(chart, x, y, { xLabel: "feature 1 (preprocessed)", yLabel: "feature 2 (preprocessed)", grid: false, yLabelOffset: 40 });

    const box = { x0: data.x_min, x1: data.x_max, y0: data.y_min, y1: data.y_max };
    const lines = svg("g", { class: "score-lines" }, chart.plot);
    data.score_lines.forEach((line, c) => {
      const ends = clipZeroLine(line, box);
      if (!ends) return;
      const color = classColor(c);
      const [[xa, ya], [xb, yb]] = ends.map(([px, py]) => [x(px), y(py)]);
      svg("line", { x1: xa, y1: ya, x2: xb, y2: yb, stroke: color, "stroke-width": 2 }, lines);
      // The score's gradient (w_x, w_y) in screen space (y grows downwards), from the middle of the line.
      const length = Math.hypot(line[0], line[1]) || 1;
      const dx = (line[0] / length) * 28, dy = (-line[1] / length) * 28;
      const mx = (xa + xb) / 2, my = (ya + yb) / 2;
      svg("line", { x1: mx, y1: my, x2: mx + dx, y2: my + dy, stroke: color, "stroke-width": 2 }, lines);
      const ux = dx / 28, uy = dy / 28;
      const tip = [mx + dx, my + dy];
      const head = [[tip[0] - 8 * ux + 4 * uy, tip[1] - 8 * uy - 4 * ux], [tip[0] - 8 * ux - 4 * uy, tip[1] - 8 * uy + 4 * ux]];
      svg("polygon", { points: [tip, ...head].map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "), fill: color }, lines);
    });

    const dots = svg("g", { class: "points" }, chart.plot);
    for (const [px, py, label, split] of data.points) {
      const color = classColor(label);
      const dot = svg("circle", {
        cx: x(px), cy: y(py), r: split === 0 ? 5 : 4.5,
        fill: split === 0 ? color : "#ffffff", stroke: split === 0 ? "#1d2430" : color, "stroke-width": split === 0 ? 1 : 2,
      }, dots);
      tooltip(dot, data.class_names[label] + " (" + ["train", "validation", "test"][split] + "): " + formatNumber(px) + ", " + formatNumber(py));
    }

    const legend = html("ul", { class: "legend" }, row);
    data.class_names.forEach((name, c) => legendItem(legend, classColor(c), "class " + name));
    return true;
  }

  function renderHeader(node, experiment) {
    html("h2", {}, node, experiment.name);
    const counts = html("p", { class: "meta" }, node);
    html("b", {}, counts, experiment.trial_count + " trial" + (experiment.trial_count === 1 ? "" : "s") + ": ");
    for (const [status, count] of Object.entries(experiment.status_counts)) {
      html("span", { class: "status status-" + status }, counts, count + " " + status);
    }
    const facts = [
      ["dataset", experiment.dataset],
      ["swept", experiment.swept.length ? experiment.swept.join(", ") : "nothing (a single configuration)"],
      ["fixed", experiment.settings],
      ["search", experiment.strategy && experiment.strategy !== "exhaustive" ? experiment.strategy.replace("_", " ") : null],
      ["rounds", experiment.rounds && experiment.rounds.length ? String(experiment.rounds.length) : null],
      ["ranked by", METRIC_LABELS[experiment.metric]],
      ["best trial", experiment.best ? experiment.best.name + " (" + formatFixed(experiment.best.metric, 4) + ")" : null],
      ["created", experiment.created_at],
    ];
    for (const [label, value] of facts) {
      if (!value) continue;
      const line = html("p", { class: "meta" }, node);
      html("b", {}, line, label + ": ");
      line.appendChild(document.createTextNode(value));
    }
  }

  function renderExperiment(parent, experiment, drawn) {
    const node = html("article", { class: "experiment", id: "experiment-" + experiment.id, "data-experiment": experiment.name }, parent);
    renderHeader(node, experiment);
    const sections = [
      ["loss-curves", renderLossCurves],
      ["epoch-chart", renderEpochChart],
      ["heatmap", renderHeatmap],
      ["marginals", renderMarginals],
      ["parallel-coordinates", renderParallelCoordinates],
      ["importance", renderImportance],
      ["table", renderTable],
      ["compare", renderCompare],
      ["confusion", renderConfusion],
      ["templates", renderTemplates],
      ["decision-regions", renderDecisionRegions],
    ];
    const mine = [];
    for (const [name, render] of sections) {
      try {
        if (render(node, experiment)) {
          drawn.add(name);
          mine.push(name);
        }
      } catch (error) {
        const message = name + " of " + experiment.name + ": " + (error.stack || error.message);
        html("p", { class: "section-error" }, node, "Could not draw " + name + ": " + error.message);
        window.losslabRecordError(message);
        console.error(message);  // a bug: tell whoever has the console open
      }
    }
    if (experiment.confusion_note) note(section(node, "Confusion matrix of the best trial"), experiment.confusion_note);
    if (experiment.weights_note) {
      const weights = section(node, "Weights of the best trial");
      note(weights, experiment.weights_note);
    }
    node.dataset.rendered = mine.join(",");
  }

  function renderNav(data) {
    const nav = document.getElementById("experiment-nav");
    nav.textContent = "";
    if (data.experiments.length > 1) {
      for (const experiment of data.experiments) html("a", { href: "#experiment-" + experiment.id }, nav, experiment.name);
    }
  }

  function renderReport(data) {
    const report = document.getElementById("report");
    report.textContent = "";
    renderNav(data);
    if (data.experiments.length === 0) note(report, "The database has no experiments yet.");
    const drawn = new Set();
    for (const experiment of data.experiments) renderExperiment(report, experiment, drawn);
    document.body.dataset.rendered = SECTION_ORDER.filter((name) => drawn.has(name)).join(",");
  }

  function main() {
    const data = JSON.parse(document.getElementById("report-data").textContent);
    renderReport(data);
    // Over HTTP only: a live page saved and opened as a file is a static report.
    if (data.live && location.protocol.startsWith("http")) followLiveUpdates(data);
  }

  // ---- live updates (losslab-report serve) ------------------------------------------------------
  // A page the server made carries data.live: where to ask for what changed after its cursor. The
  // answer is a change to data in the server's format (tools/report/change_log.hpp); the page
  // applies it and redraws the experiments it touched. A page written by `html` has no data.live
  // and never asks anything.

  function applyChange(target, change) {
    if ("set" in change) return change.set;
    if ("members" in change) {
      for (const [name, part] of Object.entries(change.members)) target[name] = applyChange(target[name], part);
      return target;
    }
    for (const [at, part] of change.items) {
      const index = target.findIndex((element) => change.key.every((name, i) => element[name] === at[i]));
      if (index < 0) target.push(applyChange(undefined, part));  // a new element comes whole
      else target[index] = applyChange(target[index], part);
    }
    return target;
  }

  // The ids of the experiments a change touches; null when it replaces them all.
  function touchedExperiments(change) {
    if (!("members" in change)) return null;
    const experiments = change.members.experiments;
    if (!experiments) return [];
    return "items" in experiments ? experiments.items.map(([at]) => at[0]) : null;
  }

  function redrawExperiments(data, ids) {
    const report = document.getElementById("report");
    if (ids === null || !report.querySelector("article.experiment")) {
      renderReport(data);
      return;
    }
    for (const experiment of data.experiments) {
      if (!ids.includes(experiment.id)) continue;
      const scratch = document.createElement("div");
      renderExperiment(scratch, experiment, new Set());
      const old = document.getElementById("experiment-" + experiment.id);
      if (old) old.replaceWith(scratch.firstChild);
      else report.appendChild(scratch.firstChild);
    }
    renderNav(data);
    const drawn = new Set();
    for (const article of report.querySelectorAll("article.experiment")) {
      for (const name of (article.dataset.rendered || "").split(",")) drawn.add(name);
    }
    document.body.dataset.rendered = SECTION_ORDER.filter((name) => drawn.has(name)).join(",");
  }

  function followLiveUpdates(data) {
    const live = data.live;
    const header = document.querySelector(".page-header");
    const status = html("p", { class: "live-status" }, header);
    const show = (state, text) => {
      status.textContent = text;
      status.dataset.state = state;
      document.body.dataset.live = state;
      document.body.dataset.liveCursor = live.cursor;
    };
    show("following", "Live: this page follows the database and redraws when trials change.");
    async function poll() {
      try {
        const url = live.endpoint + "?since=" + live.cursor + "&server=" + encodeURIComponent(live.server);
        const response = await fetch(url, { cache: "no-store" });
        const answer = await response.json();
        if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
        if (answer.reload) {
          show("reload", "Live updates stopped: the server was restarted. Reload the page to follow it again.");
          return;
        }
        if (answer.changes) {
          const ids = touchedExperiments(answer.changes);
          const next = applyChange(data, answer.changes);
          if (next !== data) Object.assign(data, next);  // replaced whole: data.live stays
          redrawExperiments(data, ids);
        }
        live.cursor = answer.cursor;
        show("following", "Live: this page follows the database; last checked " + new Date().toLocaleTimeString() + ".");
      } catch (error) {
        show("paused", "Live updates paused: the server did not answer (" + error.message + "); trying again.");
      }
      setTimeout(poll, live.interval_ms);
    }
    setTimeout(poll, live.interval_ms);
  }

  main();
})();
