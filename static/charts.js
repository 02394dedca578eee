// 阳光公示 charts (templates/transparency/_table.html). Each chart is drawn from the table beside it, so the
// page carries no data in script and the table stays the accessible, printable version:
//   <figure data-chart="bar|stacked_bar|line" data-rows="place|month|source">
//     <div class="chart" hidden data-chart-label="…">   shown here once drawn (no empty box without JavaScript)
//     <table> thead th[data-series] are the columns drawn; tbody rows are the categories (tfoot totals are not);
//             td[data-value] holds the number, a withheld cell (＊) has none and becomes a gap.
// The CSP forbids inline styles in markup: ECharts draws on a canvas and styles elements through the CSSOM,
// and the tooltip is drawn on the canvas too (renderMode "richText"), never as HTML.
(function () {
  "use strict";

  if (!window.echarts) {
    return;
  }
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  // Distinguishable for the common colour-vision deficiencies (Okabe–Ito), darkest first.
  var PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
                 "#7f7f7f", "#8c564b"];
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function valueOf(cell) {
    var raw = cell ? cell.getAttribute("data-value") : null;
    if (raw === null || raw === "") {
      return null;
    }
    var number = Number(raw);
    return isNaN(number) ? null : number;
  }

  function read(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    var columns = [];
    for (var i = 1; i < heads.length; i++) {
      if (heads[i].hasAttribute("data-series")) {
        columns.push({ index: i, name: heads[i].textContent.trim() });
      }
    }
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    var labels = [];
    var values = columns.map(function () { return []; });
    for (var r = 0; r < rows.length; r++) {
      labels.push(rows[r].cells[0].textContent.trim());
      for (var c = 0; c < columns.length; c++) {
        values[c].push(valueOf(rows[r].cells[columns[c].index]));
      }
    }
    return { labels: labels, columns: columns, values: values };
  }

  function formatted(value) {
    if (value === null || value === undefined || value === "-" || isNaN(value)) {
      return english ? "not published" : "不公布";
    }
    return Number(value).toLocaleString(english ? "en" : "zh-CN");
  }

  function options(kind, across, data, label) {
    var category = { type: "category", data: data.labels, axisLabel: { hideOverlap: true } };
    var amount = { type: "value", axisLabel: { formatter: function (v) { return formatted(v); } } };
    if (across) {
      category.inverse = true;  // the table's first row at the top
    }
    return {
      aria: { enabled: true, label: { description: label } },
      animation: !still,
      color: PALETTE,
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true, valueFormatter: formatted },
      legend: { type: "scroll", top: 0, data: data.columns.map(function (c) { return c.name; }) },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: across ? amount : category,
      yAxis: across ? category : amount,
      series: data.columns.map(function (column, i) {
        var series = { name: column.name, type: kind === "line" ? "line" : "bar", data: data.values[i] };
        if (kind === "stacked_bar") {
          series.stack = "total";
        }
        if (kind === "line") {
          series.connectNulls = false;  // a withheld month is a gap, not a guess
          series.symbolSize = 6;
        }
        return series;
      })
    };
  }

  function draw(figure) {
    var box = figure.querySelector(".chart");
    var table = figure.querySelector("table");
    if (!box || !table) {
      return;
    }
    var data = read(table);
    if (!data.labels.length || !data.columns.length) {
      return;
    }
    var kind = figure.getAttribute("data-chart") || "bar";
    // Places read best as horizontal bars (their names are long, and there may be many); months across.
    var across = kind !== "line" && figure.getAttribute("data-rows") !== "month";
    box.hidden = false;
    if (across) {
      box.style.height = Math.max(240, 48 + data.labels.length * 32 + 24 * Math.ceil(data.columns.length / 4)) + "px";
    }
    var chart = window.echarts.init(box, null, { renderer: "canvas", locale: english ? "EN" : "ZH" });
    chart.setOption(options(kind, across, data, box.getAttribute("data-chart-label") || ""));
    charts.push(chart);
  }

  function drawAll() {
    var figures = document.querySelectorAll("figure[data-chart]");
    for (var i = 0; i < figures.length; i++) {
      draw(figures[i]);
    }
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) {
      window.clearTimeout(pending);
    }
    pending = window.setTimeout(function () {
      pending = null;
      charts.forEach(function (chart) { chart.resize(); });
    }, 100);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
