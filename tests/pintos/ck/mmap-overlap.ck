# a mapping may overlap no page at all: mapped, loaded or not, code, data, stack
run: mmap overlap
files: sample.txt
---
(mmap) begin
(mmap) create pages, 3 pages
(mmap) mmap pages at A
(mmap) mmap over its second page: fails
(mmap) mmap over its first page from below: fails
(mmap) mmap right after it: succeeds
(mmap) mmap over the code: fails
(mmap) mmap over the data: fails
(mmap) mmap over bss never touched: fails
(mmap) mmap over the stack's page: fails
(mmap) mmap 64 pages below the stack's top (nothing there yet): succeeds
(mmap) end
mmap: exit(0)
