# The ubd host side uses the UML COW library (host-helpers/cow/cowfile.c).
$(B)/umk: $(B)/obj/host-helpers/cow/cowfile.o
