run: close bad-fd
status: 255
---
(close) begin
(close) close(0x20101234)
close: exit(-1)
