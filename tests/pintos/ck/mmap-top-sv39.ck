# under sv39 user space ends at 2^38, below KERN_BASE
run: mmap top
files: sample.txt
opts: --pt sv39
---
(mmap) begin
(mmap) mmap at 0x3ffffff000: succeeds
(mmap) mmap at 0x4000000000: fails
(mmap) mmap at KERN_BASE - 4096: fails
(mmap) end
mmap: exit(0)
