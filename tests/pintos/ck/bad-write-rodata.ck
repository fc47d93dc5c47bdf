run: bad write-rodata
status: 255
---
(bad) begin
(bad) write a constant
bad: exit(-1)
