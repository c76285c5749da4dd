// Copies the pinned front-end packages into the Python package's static folder.
// Run: cd web && npm ci && npm run vendor   (the copied files are committed).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as topojson from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "seawarden", "web", "static", "vendor");
mkdirSync(out, { recursive: true });
const files = {
  "maplibre-gl/dist/maplibre-gl.js": "maplibre-gl.js",
  "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
  "maplibre-gl/LICENSE.txt": "LICENSE.maplibre-gl.txt",
  "chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
  "chart.js/LICENSE.md": "LICENSE.chart.js.md",
  "world-atlas/LICENSE": "LICENSE.world-atlas.txt",
  "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
  "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
  "swagger-ui-dist/LICENSE": "LICENSE.swagger-ui.txt",
};
for (const [src, dst] of Object.entries(files)) {
  copyFileSync(join(here, "node_modules", src), join(out, dst));
}
// Natural Earth land at 1:50m, converted once from TopoJSON to GeoJSON for the base map.
const topo = JSON.parse(readFileSync(join(here, "node_modules", "world-atlas", "land-50m.json"), "utf8"));
writeFileSync(join(out, "land-50m.geojson"), JSON.stringify(topojson.feature(topo, topo.objects.land)));
const countries = JSON.parse(readFileSync(join(here, "node_modules", "world-atlas", "countries-50m.json"), "utf8"));
writeFileSync(join(out, "borders-50m.geojson"), JSON.stringify(topojson.mesh(countries, countries.objects.countries, (a, b) => a !== b)));
console.log("vendored into", out);
