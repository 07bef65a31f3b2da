"""Kota Jambi's kecamatan (a fixed choice) and their kelurahan (suggestions only)."""

KELURAHAN_BY_KECAMATAN: dict[str, tuple[str, ...]] = {
    "Alam Barajo": ("Bagan Pete", "Beliung", "Kenali Besar", "Mayang Mangurai", "Rawasari"),
    "Danau Sipin": ("Legok", "Murni", "Selamat", "Solok Sipin", "Sungai Putri"),
    "Danau Teluk": ("Olak Kemang", "Pasir Panjang", "Tanjung Pasir", "Tanjung Raden", "Ulu Gedong"),
    "Jambi Selatan": ("Pakuan Baru", "Pasir Putih", "Tambak Sari", "The Hok", "Wijaya Pura"),
    "Jambi Timur": (
        "Budiman",
        "Kasang",
        "Kasang Jaya",
        "Rajawali",
        "Sijenjang",
        "Sulanjana",
        "Talang Banjar",
        "Tanjung Pinang",
        "Tanjung Sari",
    ),
    "Jelutung": (
        "Cempaka Putih",
        "Handil Jaya",
        "Jelutung",
        "Kebun Handil",
        "Lebak Bandung",
        "Payo Lebar",
        "Talang Jauh",
    ),
    "Kota Baru": (
        "Kenali Asam Atas",
        "Kenali Asam Bawah",
        "Paal Lima",
        "Simpang III Sipin",
        "Suka Karya",
    ),
    "Paal Merah": ("Eka Jaya", "Lingkar Selatan", "Paal Merah", "Payo Selincah", "Talang Bakung"),
    "Pasar Jambi": ("Beringin", "Orang Kayo Hitam", "Pasar Jambi", "Sungai Asam"),
    "Pelayangan": (
        "Arab Melayu",
        "Jelmu",
        "Mudung Laut",
        "Tahtul Yaman",
        "Tanjung Johor",
        "Tengah",
    ),
    "Telanaipura": (
        "Buluran Kenali",
        "Pematang Sulur",
        "Penyengat Rendah",
        "Simpang IV Sipin",
        "Telanaipura",
        "Teluk Kenali",
    ),
}

KECAMATAN: tuple[str, ...] = tuple(KELURAHAN_BY_KECAMATAN)

ALL_KELURAHAN: tuple[str, ...] = tuple(
    sorted({name for names in KELURAHAN_BY_KECAMATAN.values() for name in names})
)
