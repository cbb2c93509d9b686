"""The tools that go over the registry: the command line, the reference sweep, the benchmark, the static
export and its site, the course map, the server, its front page and its warm-up."""
