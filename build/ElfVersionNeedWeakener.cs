// Marks chosen symbol-version needs of an ELF64 shared library as weak (VER_FLG_WEAK).
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked with GCC 13 and so declares a need for
// GLIBCXX_3.4.32, only for the link-time marker std::ios_base_library_init, which is never called.
// Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the dynamic loader refuses the library.
// A weak version need is checked by the loader but a missing one is not fatal, which is exactly
// the meaning of "nothing here actually needs this version".
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharpNativeFix.targets)
// and by the tests, which define ELF_WEAKENER_NO_MSBUILD to leave out the MSBuild task class.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MetaCluster.Build
{
    /// <summary>Reads and rewrites the version-needs section (.gnu.version_r) of a little-endian ELF64 file.</summary>
    public static class ElfVersionNeedWeakener
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>One entry of .gnu.version_r: a version needed from a library.</summary>
        public sealed class VersionNeed
        {
            public string File = "";
            public string Name = "";
            public ushort Flags;
            public long FlagsOffset;
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>Lists every version need of the file.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<VersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                uint link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
                uint count = BitConverter.ToUInt32(elf, (int)sh + 0x2C); // sh_info: number of Verneed entries
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize) + 0x18);

                long vn = offset;
                for (uint n = 0; n < count; n++)
                {
                    ushort cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < cnt; a++)
                    {
                        needs.Add(new VersionNeed
                        {
                            File = file,
                            Name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8)),
                            Flags = BitConverter.ToUInt16(elf, (int)aux + 4),
                            FlagsOffset = aux + 4,
                        });
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return needs;
        }

        /// <summary>
        /// Marks the named version needs weak. Returns how many were changed (0 when already weak
        /// or absent), so the caller rewrites the file only when something changed.
        /// </summary>
        public static int Weaken(byte[] elf, ICollection<string> versionNames)
        {
            int changed = 0;
            foreach (var need in ReadVersionNeeds(elf))
            {
                if (!versionNames.Contains(need.Name) || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed++;
            }
            return changed;
        }

        /// <summary>Weakens the named needs in a file, replacing it atomically (a hard link to a package cache stays untouched).</summary>
        public static int WeakenFile(string path, ICollection<string> versionNames)
        {
            byte[] elf = File.ReadAllBytes(path);
            int changed = Weaken(elf, versionNames);
            if (changed == 0) return 0;
            string temp = path + ".weakening";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, path, null); // a rename on Unix: atomic, and it breaks any hard link
            return changed;
        }

        private static string ReadString(byte[] elf, long offset)
        {
            int end = (int)offset;
            while (elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
        }
    }

#if !ELF_WEAKENER_NO_MSBUILD
    /// <summary>MSBuild task: weakens version needs in the given files.</summary>
    public sealed class WeakenElfVersionNeeds : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string VersionNames { get; set; } = "";

        public override bool Execute()
        {
            var names = new HashSet<string>(VersionNames.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                try
                {
                    int changed = ElfVersionNeedWeakener.WeakenFile(path, names);
                    if (changed > 0)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            $"Marked {changed} version need(s) weak in {path}");
                }
                catch (Exception e)
                {
                    Log.LogError($"{path}: cannot weaken version needs: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
