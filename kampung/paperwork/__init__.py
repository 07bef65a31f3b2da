"""The trip's paperwork for the treasurer's SPJ: the daftar hadir fit for the file, the group
proof of travel for the host's stamp, the per-diem (uang harian) receipt list, and the archive
bundle the admin downloads before the purge."""
