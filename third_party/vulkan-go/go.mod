module github.com/vulkan-go/vulkan

go 1.16
