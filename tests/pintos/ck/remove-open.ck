# an open file stays readable through its descriptor after remove
run: remove open
files: sample.txt
file: sample.txt 5
san: yes
---
(remove) begin
(remove) remove sample.txt while it is open
(remove) open sample.txt fails now
(remove) the open descriptor still has 338 bytes
(remove) and reads them
(remove) create a new sample.txt, 5 bytes
(remove) the new one has 5 bytes
(remove) the old descriptor still 338
(remove) end
remove: exit(0)
