/* The charts of /stats/, drawn with Chart.js (static/vendor/chartjs, v4.6.1, MIT) from the
 * figures the page embeds with json_script (#stats-data). The same figures are in the data
 * tables under each chart. Not colour alone: every series also has its own fill pattern
 * (bars) or dash and point shape (lines), and its name in the legend and tooltip.
 * Clicking a bar opens the article list those quotes or claims come from. */
(function () {
  "use strict";

  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"];
  var DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2], [12, 6], [6, 2, 2, 2], [3, 6]];
  var POINTS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "cross", "dash", "line"];

  function pattern(index) {
    var colour = COLOURS[index % COLOURS.length];
    var size = 10;
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 2;
    switch (index % 6) {
      case 0: break; // solid
      case 1: ctx.beginPath(); ctx.moveTo(0, size); ctx.lineTo(size, 0); ctx.stroke(); break; // diagonal
      case 2: ctx.beginPath(); ctx.arc(size / 2, size / 2, 2, 0, 2 * Math.PI); ctx.fill(); break; // dots
      case 3: ctx.beginPath(); ctx.moveTo(0, size / 2); ctx.lineTo(size, size / 2); ctx.stroke(); break; // horizontal
      case 4: ctx.beginPath(); ctx.moveTo(size / 2, 0); ctx.lineTo(size / 2, size); ctx.stroke(); break; // vertical
      case 5: ctx.beginPath(); ctx.moveTo(0, 0); ctx.lineTo(size, size); ctx.moveTo(0, size); ctx.lineTo(size, 0); ctx.stroke(); break; // cross
    }
    return ctx.createPattern(canvas, "repeat");
  }

  function open(href) {
    if (href) { window.location.assign(href); }
  }

  function onBarClick(hrefOf) {
    return function (event, elements) {
      if (!elements.length) { return; }
      open(hrefOf(elements[0].index, elements[0].datasetIndex));
    };
  }

  function hover(event, elements) {
    if (event.native && event.native.target) {
      event.native.target.style.cursor = elements.length ? "pointer" : "default";
    }
  }

  function base(extra) {
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      onHover: hover,
      plugins: { legend: { labels: { usePointStyle: false } } }
    };
    return Object.assign(options, extra);
  }

  function barSeries(chart) {
    // One dataset per split value (stacked), or a single one.
    if (!chart.splits.length) {
      return [{
        label: "Quotes",
        data: chart.rows.map(function (r) { return r.count; }),
        backgroundColor: pattern(0),
        borderColor: COLOURS[0],
        borderWidth: 1
      }];
    }
    return chart.splits.map(function (split, i) {
      return {
        label: split.label,
        data: chart.rows.map(function (r) { return r.splits[i]; }),
        backgroundColor: pattern(i),
        borderColor: COLOURS[i % COLOURS.length],
        borderWidth: 1,
        stack: "all"
      };
    });
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return null; }
    var chart = new window.Chart(canvas, config);
    canvas.dataset.ready = "true"; // the browser tests wait for this
    return chart;
  }

  function init() {
    var node = document.getElementById("stats-data");
    if (!node || !window.Chart) { return; }
    var data = JSON.parse(node.textContent);
    var integer = { beginAtZero: true, ticks: { precision: 0 } };

    var speakers = data.speakers;
    draw("chart-speakers", {
      type: "bar",
      data: { labels: speakers.rows.map(function (r) { return r.label; }), datasets: barSeries(speakers) },
      options: base({
        indexAxis: "y",
        scales: { x: integer },
        plugins: { legend: { display: false } },
        onClick: onBarClick(function (i) { return speakers.rows[i].href; })
      })
    });

    var outlets = data.outlets;
    draw("chart-outlets", {
      type: "bar",
      data: { labels: outlets.rows.map(function (r) { return r.label; }), datasets: barSeries(outlets) },
      options: base({
        scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, integer) },
        onClick: onBarClick(function (i) { return outlets.rows[i].href; })
      })
    });

    var shares = data.shares;
    draw("chart-shares", {
      type: "line",
      data: {
        labels: shares.rows.map(function (r) { return r.label; }),
        datasets: shares.series.map(function (s, i) {
          return {
            label: s.label,
            data: shares.rows.map(function (r) { return Math.round(r.shares[i] * 1000) / 10; }),
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            borderDash: DASHES[i % DASHES.length],
            borderWidth: i === 0 ? 3 : 2,
            pointStyle: POINTS[i % POINTS.length],
            pointRadius: 5,
            tension: 0
          };
        })
      },
      options: base({
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + c.parsed.y + " %"; } } }
        }
      })
    });

    var claims = data.claims;
    draw("chart-claims", {
      type: "bar",
      data: { labels: claims.rows.map(function (r) { return r.label; }), datasets: barSeries(claims) },
      options: base({
        scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, integer) },
        onClick: onBarClick(function (i, dataset) {
          var row = claims.rows[i];
          return (row.cells && row.cells[dataset]) || row.href;
        })
      })
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
