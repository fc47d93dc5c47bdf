# the second close names a descriptor that is not open: a bad argument
run: close twice
files: sample.txt
status: 255
---
(close) begin
(close) close sample.txt
(close) close sample.txt again
close: exit(-1)
