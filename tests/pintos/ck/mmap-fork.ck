# fork gives the child the mapping; vmlab's mappings are shared (one page cache)
run: mmap fork
files: sample.txt
---
(mmap) begin
(mmap) mmap sample.txt, writable
(mmap) the child has the mapping
child: exit(0)
(mmap) the child's write is seen by the parent (a shared mapping)
(mmap) end
mmap: exit(0)
