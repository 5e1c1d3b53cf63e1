package vulkan

// SetConvVariant forces the convolution kernel shape for the external tests
// ("regblock", "tiled", or "" to pick by device type).
func SetConvVariant(v string) { convVariant = v }
