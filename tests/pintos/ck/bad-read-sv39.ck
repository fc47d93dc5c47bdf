# under sv39, an address at 2^38 and above is beyond user space
run: bad read-below
opts: --pt sv39
status: 255
counter: kill_segv-kernel-addr == 1
---
(bad) begin
(bad) read KERN_BASE - 4096 (user space, nothing mapped)
bad: exit(-1)
