# a program of 2 MiB of data in a user pool of 256 KiB
run: big
opts: --frames 64 --swap 4M
counter: file_read >= 512
counter: pswpout >= 512
counter: pswpin >= 512
san: yes
---
(big) begin
(big) 2 MiB of data, as the executable has it
(big) add 3 to every word
(big) every word has grown by 3
(big) and again
(big) end
big: exit(0)
