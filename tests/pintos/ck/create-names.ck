# the file system is flat: no '/', no "." or "..", nothing but regular files
run: create names
mkdir: subdir
absent: escape
---
(create) begin
(create) create "a/b" fails
(create) create "../escape" fails
(create) create ".." fails
(create) create "." fails
(create) create "subdir" (a directory) fails
(create) end
create: exit(0)
