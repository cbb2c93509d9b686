"""The shared engine every lesson builds on: devices and seeding, the digits, validation and
student-facing errors, stacked (many-at-once) networks, attacks, batched logistic regression,
the live-time limit and the charts' common conventions."""
