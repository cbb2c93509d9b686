"""The sharing layer: links that carry a lesson's settings, slider charts that work in static
pages, the static export and course map, shipped reference tables, the reference sweep, the
benchmark, the page kit and the command line."""
