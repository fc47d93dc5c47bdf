run: remove missing
mkdir: subdir
---
(remove) begin
(remove) remove no-such-file fails
(remove) remove "" fails
(remove) remove "../fs" fails
(remove) remove "subdir" (a directory) fails
(remove) end
remove: exit(0)
