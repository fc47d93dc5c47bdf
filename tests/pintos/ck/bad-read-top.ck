run: bad read-top
status: 255
---
(bad) begin
(bad) read the kernel half, 0xffffffff80000000
bad: exit(-1)
