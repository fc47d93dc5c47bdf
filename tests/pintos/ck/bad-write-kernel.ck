run: bad write-kernel
status: 255
---
(bad) begin
(bad) write KERN_BASE
bad: exit(-1)
