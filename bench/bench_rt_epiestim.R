# EpiEstim's estimate_R run area by area: the baseline of bench/bench_rt.py.
#
#   Rscript bench/bench_rt_epiestim.R IN.csv OUT.csv MEAN_SI STD_SI
#
# IN.csv: area,t,local,imported (t = 1 … T for every area). Each area goes through
# estimate_R(data.frame(local, imported), method = "parametric_si") with EpiEstim's
# default weekly windows and prior. OUT.csv: area,t_start,t_end,mean,std,q025,...,q975
# (17 significant digits). Prints "EPIESTIM-SECONDS <elapsed>" for the estimate_R calls
# alone (reading and writing the files excluded) and "EPIESTIM-VERSION <version>".

suppressPackageStartupMessages(library(EpiEstim))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4) stop("usage: bench_rt_epiestim.R IN.csv OUT.csv MEAN_SI STD_SI")
incidence <- read.csv(args[1], colClasses = c(area = "character"))
mean_si <- as.numeric(args[3])
std_si <- as.numeric(args[4])
areas <- unique(incidence$area)
series <- lapply(areas, function(a) {
  one <- incidence[incidence$area == a, ]
  one <- one[order(one$t), ]
  data.frame(local = one$local, imported = one$imported)
})
config <- make_config(list(mean_si = mean_si, std_si = std_si))

began <- proc.time()[["elapsed"]]
results <- lapply(series, function(incid) {
  suppressWarnings(suppressMessages(
    estimate_R(incid, method = "parametric_si", config = config)
  ))$R
})
elapsed <- proc.time()[["elapsed"]] - began

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
rows <- do.call(rbind, lapply(seq_along(areas), function(i) {
  r <- results[[i]]
  data.frame(
    area = areas[i], t_start = r$t_start, t_end = r$t_end,
    mean = fmt(r[["Mean(R)"]]), std = fmt(r[["Std(R)"]]),
    q025 = fmt(r[["Quantile.0.025(R)"]]), q05 = fmt(r[["Quantile.0.05(R)"]]),
    q25 = fmt(r[["Quantile.0.25(R)"]]), median = fmt(r[["Median(R)"]]),
    q75 = fmt(r[["Quantile.0.75(R)"]]), q95 = fmt(r[["Quantile.0.95(R)"]]),
    q975 = fmt(r[["Quantile.0.975(R)"]])
  )
}))
write.csv(rows, args[2], row.names = FALSE, quote = FALSE)
cat("EPIESTIM-SECONDS", sprintf("%.6f", elapsed), "\n")
cat("EPIESTIM-VERSION", as.character(packageVersion("EpiEstim")), "\n")
