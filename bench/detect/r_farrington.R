#!/usr/bin/env Rscript
## Side-by-side check: R surveillance's farringtonFlexible (b = 2, otherwise package defaults)
## on every series of a benchmark CSV, monitoring from 2021-01-04. Writes
## series,date,upperbound,alarm and prints the time spent inside the algorithm.
## Usage: Rscript bench/detect/r_farrington.R IN.csv OUT.csv
suppressPackageStartupMessages(library(surveillance))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1], stringsAsFactors = FALSE)
out <- list(); spent <- 0
for (sid in unique(d$series)) {
  x <- d[d$series == sid, ]
  dates <- as.Date(x$date)
  s <- sts(observed = matrix(x$count), epoch = dates, frequency = 365,
           start = c(as.integer(format(dates[1], "%Y")), as.integer(format(dates[1], "%j"))))
  r0 <- which(dates >= as.Date("2021-01-04"))[1]
  t0 <- proc.time()[["elapsed"]]
  res <- suppressWarnings(farringtonFlexible(s, control = list(b = 2, range = r0:nrow(x))))
  spent <- spent + proc.time()[["elapsed"]] - t0
  out[[sid]] <- data.frame(series = sid, date = format(dates[r0:nrow(x)]),
                           upperbound = as.numeric(upperbound(res)), alarm = as.integer(alarms(res)))
}
write.csv(do.call(rbind, out), a[2], row.names = FALSE, na = "NA")
cat(sprintf("R farringtonFlexible algorithm time: %.2f s\n", spent))
