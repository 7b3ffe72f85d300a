#!/bin/sh
# runstd.sh NAME BIN [flags...]: a -json report (with the applied-fix trace) on the GOROOT copy
set -u
name=$1; bin=$2; shift 2
cd ${MEASURE:-/work/measure/corpus}/std/go/src
export PATH="${MEASURE:-/work/measure/corpus}/std/go/bin:$PATH" GOFLAGS=
start=$(date +%s)
DEFERFIX_APPLIED=1 timeout 3000 nice -n 10 "$bin" -json "$@" ./... > ${MEASURE:-/work/measure/corpus}/$name.json 2> ${MEASURE:-/work/measure/corpus}/$name.err
echo "$name rc=$? $(( $(date +%s) - start ))s" | tee -a ${MEASURE:-/work/measure/corpus}/timings.txt
