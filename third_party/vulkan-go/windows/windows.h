#ifndef WINDOWS_H
#define WINDOWS_H

typedef void *HINSTANCE;
typedef void *HWND;
typedef void *HANDLE;
typedef struct SECURITY_ATTRIBUTES SECURITY_ATTRIBUTES;
typedef struct DWORD DWORD;

#endif // WINDOWS_H
