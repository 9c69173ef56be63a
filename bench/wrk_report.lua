-- wrk's summary in lines the bench reads: requests per second and latency percentiles (ms).
done = function(summary, latency, requests)
  io.write(string.format("rate %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50 %.1f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95 %.1f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99 %.1f\n", latency:percentile(99) / 1000))
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
