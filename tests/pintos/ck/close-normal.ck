run: close normal
files: sample.txt
---
(close) begin
(close) close sample.txt
(close) the lowest free descriptor is reused
(close) end
close: exit(0)
