# exec destroys the old address space, mappings included (pitfall 9)
run: mmap exec
files: sample.txt child-touch
---
(mmap) begin
(mmap) mmap sample.txt
(child-touch) read 0x10000000
child-touch: exit(-1)
(mmap) wait for child-touch: -1
(mmap) end
mmap: exit(0)
