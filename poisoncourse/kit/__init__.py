"""The page kit, which knows no lesson: what every lesson page needs, written once — the train call
with its progress bar and student-facing errors (page), the server's shared memo (memo), controls
seeded from the link and the Train button (forms, url, decode, boxes, labels, trainbar) and slider
charts that run in the browser (explore), and charts that take a run's rows as it goes (livechart,
its front-end livechart.js, and liveserve: the Vega bundle and Stop on the server)."""
