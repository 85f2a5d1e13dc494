// Draws the page's Vega-Lite charts: each element with a data-spec attribute names the json_script element
// that holds its spec. Every chart is fitted to its box (css/charts.css makes the box a block as wide as the
// page allows): a single chart takes the box's width ("container"), small multiples as many panels a row as
// fit at MIN_PANEL pixels or more. The specs' own sizes are for images drawn on the server.
//
// The Content-Security-Policy allows neither eval nor injected <style> elements (docs/security.md), so the
// specs are run by Vega's expression interpreter (ast: true) rather than compiled into functions, and the
// styles vega-embed and its tooltip would inject come from css/charts.css instead.
var MIN_PANEL = 240;
// Room a panel of small multiples needs beside its plot: the y axis's labels and title, and the gap.
var PANEL_ROOM = 70;
// About the width of a character of a chart's title, to break the title into lines that fit.
var TITLE_CHARACTER = 7.5;

// The title as lines no wider than the box, breaking between words.
function titleLines(text, room) {
  var most = Math.max(12, Math.floor(room / TITLE_CHARACTER));
  var lines = [];
  text.split(" ").forEach(function (word) {
    var last = lines.length - 1;
    if (last >= 0 && (lines[last] + " " + word).length <= most) {
      lines[last] += " " + word;
    } else {
      lines.push(word);
    }
  });
  return lines;
}

function fitToBox(spec, box) {
  var room = box.clientWidth;
  var config = spec.config = spec.config || {};
  // Legends' labels and titles never make the chart wider than its box: longer ones end in an ellipsis
  // (a legend under the plot starts where the plot does, right of the y axis).
  // Legends go under the plot, stacked, so that a phone keeps the plot's width.
  var legend = config.legend = config.legend || {};
  legend.orient = legend.orient || "bottom";
  legend.direction = legend.direction || "vertical";
  legend.layout = legend.layout || {bottom: {anchor: "start", direction: "vertical"}};
  legend.labelLimit = Math.min(legend.labelLimit || 300, room - 110);
  legend.titleLimit = Math.min(legend.titleLimit || 300, room - 90);
  // Vega measures text with its own font metrics; the page's font may draw a label a few pixels wider, which
  // this margin keeps inside the chart.
  if (spec.padding === undefined) {
    spec.padding = {left: 5, top: 5, right: 15, bottom: 5};
  }
  if (typeof spec.title === "string") {
    // Centred on the whole chart, not on the plot, which long axis labels push to the right.
    spec.title = {text: titleLines(spec.title, room), frame: "bounds"};
  }
  if (spec.facet && spec.spec) {
    var wanted = spec.columns || 1;
    var fitting = Math.max(1, Math.floor(room / MIN_PANEL));
    spec.columns = Math.min(wanted, fitting);
    spec.spec.width = Math.max(MIN_PANEL - PANEL_ROOM, Math.floor(room / spec.columns) - PANEL_ROOM);
  } else if (!spec.hconcat && !spec.vconcat && !spec.concat && !spec.repeat) {
    spec.width = "container";
    spec.autosize = {type: "fit-x", contains: "padding"};
  }
  return spec;
}

document.querySelectorAll("[data-spec]").forEach(function (box) {
  var spec = fitToBox(JSON.parse(document.getElementById(box.dataset.spec).textContent), box);
  var options = {actions: false, renderer: "svg", ast: true, defaultStyle: false,
                 tooltip: {disableDefaultStyle: true}};
  vegaEmbed(box, spec, options).catch(function (error) {
    box.textContent = "The chart could not be drawn: " + error;
  });
});
