run: bad read-kernel
status: 255
---
(bad) begin
(bad) read KERN_BASE
bad: exit(-1)
