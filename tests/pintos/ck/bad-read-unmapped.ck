run: bad read-unmapped
status: 255
---
(bad) begin
(bad) read 0x10000000 (nothing mapped)
bad: exit(-1)
