run: open names
files: sample.txt
mkdir: subdir
---
(open) begin
(open) open "../fs/sample.txt" fails
(open) open "subdir" (a directory) fails
(open) open "." fails
(open) open "sample.txt/" fails
(open) end
open: exit(0)
