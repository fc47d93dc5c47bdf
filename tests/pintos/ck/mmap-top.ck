# under sv48 (the default) user space is all of [0, KERN_BASE)
run: mmap top
files: sample.txt
---
(mmap) begin
(mmap) mmap at 0x3ffffff000: succeeds
(mmap) mmap at 0x4000000000: succeeds
(mmap) mmap at KERN_BASE - 4096: succeeds
(mmap) end
mmap: exit(0)
