run: mmap kernel
files: sample.txt
---
(mmap) begin
(mmap) a range reaching KERN_BASE: fails
(mmap) at KERN_BASE: fails
(mmap) a range that wraps: fails
(mmap) the last page below KERN_BASE: succeeds
(mmap) and reads the file
(mmap) end
mmap: exit(0)
