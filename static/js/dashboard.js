/* crimedash dashboards: Plotly charts, Leaflet maps with grid-clustered markers, filters kept in the URL,
   drill-down to the incident list, and the live incident feed. No library beyond plotly.js and Leaflet. */
(function () {
  "use strict";

  var CLUSTER_PIXELS = 60;
  var FEED_SECONDS = 5;
  var FEED_QUIET_MINUTES = 10;

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function filterQuery() {
    var form = document.getElementById("dashboard-filters");
    var params = new URLSearchParams();
    if (!form) return params;
    new FormData(form).forEach(function (value, key) {
      if (value) params.append(key, value);
    });
    return params;
  }

  /* Drill-down: the clicked item's query overrides the same keys of the page's filters. */
  function drill(extra) {
    var body = document.getElementById("dashboard-body");
    var base = body && body.dataset.incidentsUrl;
    if (!base || !extra) return;
    var params = filterQuery();
    var added = new URLSearchParams(extra);
    added.forEach(function (_value, key) { params.delete(key); });
    added.forEach(function (value, key) { params.append(key, value); });
    window.location.assign(base + "?" + params.toString());
  }

  function renderCharts(root) {
    if (!window.Plotly) return;
    root.querySelectorAll(".js-chart").forEach(function (node) {
      var figure = readJSON(node.dataset.figure);
      if (!figure) return;
      var small = node.classList.contains("sparkline");
      var config = { responsive: true, displaylogo: false, displayModeBar: small ? false : "hover" };
      window.Plotly.newPlot(node, figure.data, figure.layout, config);
      node.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && typeof point.customdata === "string") drill(point.customdata);
      });
    });
  }

  /* --- maps ------------------------------------------------------------------------------------------------ */

  /* Tooltips get a node holding text, never an HTML string: area and place names come from imported data. */
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function polygonLayer(layer) {
    return L.geoJSON(layer.geojson, {
      style: function (feature) {
        return { color: "#fff", weight: 1, fillColor: feature.properties.color, fillOpacity: 0.7 };
      },
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        shape.bindTooltip(textNode(p.name + ": " + p.value));
        shape.on("click", function () { drill(p.drill); });
      },
    });
  }

  /* Grid clustering: points falling in the same CLUSTER_PIXELS square at the current zoom become one marker
     showing how many there are; recomputed on every zoom. */
  function clusterLayer(map, layer) {
    var group = L.layerGroup();
    var points = layer.geojson.features.map(function (f) {
      return { lat: f.geometry.coordinates[1], lng: f.geometry.coordinates[0], p: f.properties };
    });
    function draw() {
      group.clearLayers();
      var cells = {};
      points.forEach(function (pt) {
        var px = map.project([pt.lat, pt.lng], map.getZoom());
        var key = Math.floor(px.x / CLUSTER_PIXELS) + ":" + Math.floor(px.y / CLUSTER_PIXELS);
        (cells[key] = cells[key] || []).push(pt);
      });
      Object.keys(cells).forEach(function (key) {
        var members = cells[key];
        var lat = 0, lng = 0;
        members.forEach(function (m) { lat += m.lat; lng += m.lng; });
        lat /= members.length; lng /= members.length;
        if (members.length === 1) {
          var one = members[0];
          L.circleMarker([lat, lng], { radius: 6, color: "#0072B2", weight: 2, fillOpacity: 0.8 })
            .bindTooltip(textNode(one.p.name + " · " + one.p.when.slice(0, 16).replace("T", " "))).addTo(group);
        } else {
          var size = members.length < 10 ? 28 : members.length < 100 ? 34 : 42;
          var icon = L.divIcon({ className: "cluster", html: "<span>" + members.length + "</span>",
                                 iconSize: [size, size] });
          L.marker([lat, lng], { icon: icon, keyboard: true, title: members.length + " incidents" })
            .on("click", function () { map.setView([lat, lng], map.getZoom() + 2); }).addTo(group);
        }
      });
    }
    map.on("zoomend", draw);
    group.on("add", draw);
    return group;
  }

  function renderMaps(root) {
    if (!window.L) return;
    var config = readJSON("map-config") || {};
    root.querySelectorAll(".js-map").forEach(function (node) {
      var layers = readJSON(node.dataset.layers) || [];
      var map = L.map(node, { preferCanvas: false }).setView(config.center || [51.51, -0.12], config.zoom || 11);
      (config.tiles || []).forEach(function (tile) { L.tileLayer(tile[1], tile[2] || {}).addTo(map); });
      var overlays = {}, bounds = null;
      layers.forEach(function (layer) {
        var shown = layer.kind === "points" ? clusterLayer(map, layer) : polygonLayer(layer);
        shown.addTo(map);
        overlays[layer.name] = shown;
        var layerBounds = L.geoJSON(layer.geojson).getBounds();
        if (layerBounds.isValid()) bounds = bounds ? bounds.extend(layerBounds) : layerBounds;
      });
      if (bounds) map.fitBounds(bounds, { padding: [10, 10] });
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      node._crimedashMap = map;
    });
  }

  /* --- filters ----------------------------------------------------------------------------------------------- */

  function refresh(url) {
    var body = document.getElementById("dashboard-body");
    body.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { "X-Dashboard-Partial": "1" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        body.innerHTML = html;
        body.removeAttribute("aria-busy");
        init(body);
      });
  }

  function keepQueryLinks(query) {
    document.querySelectorAll("a[data-keep-query]").forEach(function (link) {
      link.href = link.href.split("?")[0] + (query ? "?" + query : "");
    });
  }

  function bindFilters() {
    var form = document.getElementById("dashboard-filters");
    if (!form) return;
    function apply(event) {
      if (event) event.preventDefault();
      var query = filterQuery().toString();
      var url = window.location.pathname + (query ? "?" + query : "");
      window.history.pushState({ query: query }, "", url);
      keepQueryLinks(query);
      refresh(url);
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", apply);
    window.addEventListener("popstate", function () { window.location.reload(); });
  }

  /* --- live feed --------------------------------------------------------------------------------------------- */

  function feedItem(item, detailUrl) {
    // One update from /api/dispatch/recent/: the incident as it now stands, linked to its page when allowed.
    var li = document.createElement("li");
    li.dataset.incident = item.incident_pk;
    var when = document.createElement("time");
    when.dateTime = item.occurred_at || "";
    when.textContent = item.local_time || "";  // in the source's zone, as the server draws the first items
    li.appendChild(when);
    li.appendChild(document.createTextNode(" · "));
    var category = document.createElement("strong");
    category.textContent = item.category_label || item.category || "";
    li.appendChild(category);
    var parts = [item.priority, item.status].filter(Boolean);
    if (parts.length) li.appendChild(document.createTextNode(" · " + parts.join(" · ")));
    if (detailUrl) {
      var link = document.createElement("a");
      link.href = detailUrl.replace("/0/", "/" + item.incident_pk + "/");
      link.textContent = "details";
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(link);
    }
    li.className = "fresh";
    return li;
  }

  function feedHealth(status, payload) {
    // Says when the dispatch feed last delivered anything, and warns when it has gone quiet (a stopped link or
    // simulator), so a commander never mistakes an old list for a calm night.
    if (!status || !payload) return;
    if (!payload.latest_update_at) { status.textContent = "No update from the dispatch feed yet."; return; }
    var minutes = Math.floor((new Date(payload.now) - new Date(payload.latest_update_at)) / 60000);
    var quiet = minutes >= FEED_QUIET_MINUTES;
    status.classList.toggle("stale", quiet);
    status.dataset.quietMinutes = String(minutes);
    status.textContent = quiet
      ? "No update from the dispatch feed for " + minutes + " minutes: the list below may be out of date. If the feed " +
        "should be running, ask an administrator to check the dispatch link."
      : "Updates every few seconds; last update from the dispatch feed " + (minutes < 1 ? "under a minute" : minutes +
        " minute" + (minutes === 1 ? "" : "s")) + " ago.";
  }

  function startFeed(root) {
    var list = root.querySelector("#live-feed");
    if (!list || !list.dataset.feedUrl || list._polling) return;
    list._polling = true;
    var since = list.dataset.since;
    function poll() {
      if (!document.body.contains(list)) return;
      fetch(list.dataset.feedUrl + "?since=" + encodeURIComponent(since), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (payload) {
          feedHealth(root.querySelector("#feed-status"), payload);
          var items = (payload && payload.updates) || [];
          items.forEach(function (item) {
            var fresh = feedItem(item, list.dataset.detailUrl);
            var old = list.querySelector('[data-incident="' + item.incident_pk + '"]');
            if (old) list.replaceChild(fresh, old); else list.insertBefore(fresh, list.firstChild);
            var empty = list.querySelector("li.muted");
            if (empty) list.removeChild(empty);
            if (item.received_at && new Date(item.received_at) > new Date(since)) since = item.received_at;
          });
          while (list.children.length > 50) list.removeChild(list.lastChild);
        })
        .catch(function () { /* the next poll retries */ })
        .then(function () { window.setTimeout(poll, FEED_SECONDS * 1000); });
    }
    window.setTimeout(poll, FEED_SECONDS * 1000);
  }

  function init(root) {
    renderCharts(root);
    renderMaps(root);
    startFeed(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    bindFilters();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
