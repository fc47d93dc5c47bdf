run: mmap munmap-bad
---
(mmap) begin
(mmap) munmap of addresses that are no mappings does nothing
(mmap) end
mmap: exit(0)
