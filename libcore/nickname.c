/* nickname.c - given names and their familiar forms (crm_nickname_p).
 *
 * Each line is one group of names people use for one another: the formal
 * name first, then its short and pet forms and its spellings in neighbouring
 * languages.  A name may sit in several groups ("al" is Albert, Alan and
 * Alfred); two names are nicknames of each other when some group holds
 * both.  Names are match keys: lower case, accents folded; each is also
 * entered in its cross-script fold (crm_text_fold), the form dedup compares,
 * so "william" and "bill" are found as "villiam" and "bill" too.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "crm/simil.h"

static const char *const groups[] = {
	"abigail abby abbie gail",
	"abraham abe bram",
	"alan al allan allen",
	"albert al bert bertie albrecht",
	"alexander alex alec sandy sasha sascha alexandr aleksandr alejandro alessandro alexandre xander lex",
	"alexandra alex sandra sandy sasha alexa lexi aleksandra alessandra",
	"alfred al alf alfie fred freddie",
	"alice ali allie alicia",
	"andrew andy drew andre andreas andrea andres andrzej andrei",
	"angela angie angelika angelique",
	"anne ann annie anna anita hannah nan nancy anja anka",
	"anthony tony antony anton antonio antoine antoni",
	"arthur art artie",
	"barbara barb barbie babs basia",
	"benjamin ben benny benji",
	"bernard bernie barney bernd bernhard",
	"caroline carol carrie caro carolina karoline",
	"catherine cathy cat kate katie kathy katherine kathryn katharina katarzyna kasia caterina catalina katja katya ekaterina kitty",
	"charles charlie chuck chas chaz carl karl carlos carlo",
	"charlotte lottie charlie lotte",
	"christian chris christiaan krzysztof",
	"christine chris chrissy christina kristina kirsten tina",
	"christopher chris kit topher kris christoph cristobal",
	"daniel dan danny dani",
	"david dave davy dai",
	"deborah deb debbie debra",
	"dennis denny",
	"dmitri dmitry dima dimitri",
	"donald don donny",
	"dorothy dot dottie dolly dora",
	"douglas doug",
	"edward ed eddie ned ted teddy eduard eduardo edouard",
	"edmund ed eddie ned",
	"eleanor ellie nell nora elena eleni helen helena elaine ellen",
	"elizabeth liz lizzie liza beth betty bette betsy eliza elsie libby lisa elisabeth elisabetta isabel isabella ilse",
	"emily em emmy emilia emilie",
	"eugene gene evgeny zhenya",
	"evelyn eve evie",
	"francis frank frankie fran francisco paco pancho francesco franz francois frantisek franciszek",
	"frances fran frankie francesca francoise",
	"frederick fred freddie fritz friedrich federico",
	"gabriel gabe gabby gabriele",
	"gabrielle gabby gabi gabriela",
	"geoffrey geoff jeff jeffrey",
	"george georgie jorge georg giorgio jerzy yuri georgios",
	"gerald gerry jerry gerard gerhard",
	"gregory greg grigory grisha gregor",
	"harold harry hal",
	"henry harry hank hal henri heinrich enrique enrico henryk",
	"herbert herb bert",
	"isaac ike",
	"jacob jake jakob jakub yakov kuba",
	"james jim jimmy jamie jem diego jaime giacomo jacques",
	"jane janie jenny jean joan jeanne janet",
	"jennifer jen jenny jenna",
	"jessica jess jessie",
	"john jack johnny jon jonny johan johann johannes hans juan giovanni gianni jan jean ivan ian sean ean evan",
	"jonathan jon jonny nathan",
	"joseph joe joey jose pepe giuseppe beppe josef jozef jo",
	"josephine jo josie josefina",
	"judith judy jude",
	"kenneth ken kenny",
	"lawrence larry laurence lorenzo laurent",
	"leonard leo len lenny leonardo leon",
	"louis lou louie luis luigi ludwig lewis ludovic",
	"louise lou lulu louisa luisa",
	"margaret maggie meg peggy marge margie margo greta gretchen rita marjorie margarete margarita malgorzata gosia",
	"maria mary marie mariya masha maryam miriam molly polly mae mimi",
	"matthew matt matty mat matthias mateo matteo mateusz matej",
	"michael mike mikey mick mickey mitch michel miguel michele mikhail misha michal mikael",
	"nathaniel nat nate nathan",
	"nicholas nick nicky nico nicolas nikolai kolya nicola niklas klaus",
	"nicole nikki nicky nicola",
	"patricia pat patty trish tricia",
	"patrick pat paddy patrice",
	"peter pete pedro pierre pietro piotr petr pyotr petra",
	"philip phil pip felipe philippe filip filippo",
	"rebecca becky becca",
	"richard rich rick ricky dick rico ricardo riccardo rikard",
	"robert bob bobby rob robbie bert roberto robin",
	"ronald ron ronnie",
	"samuel sam sammy",
	"samantha sam sammy",
	"sarah sara sally sadie",
	"stephen steve stevie stephan stefan esteban stefano",
	"steven steve stevie",
	"susan sue susie suzanne susanna zuzana",
	"theodore ted teddy theo",
	"thomas tom tommy thom tomas tomasz tommaso",
	"timothy tim timmy",
	"victoria vicky tori vika viktoria",
	"vincent vince vinnie vincenzo",
	"walter walt wally",
	"william bill billy will willy liam wilhelm guillaume guillermo",
	"zachary zach zack",
	"vladimir vlad volodya",
	"ivan vanya",
	"aleksei alexei alyosha alexey",
	"mohammed mohammad muhammad mohamed mehmet",
	"ahmed ahmad",
	"yusuf yousef joseph",
	"ibrahim abraham",
	"sebastian seb bastian",
	"wolfgang wolf",
	"friedrich fritz",
	"ludwig lutz",
	"elena lena",
	"magdalena magda lena madeleine madeline",
	"jorgen jurgen",
	"soren soeren",
	"paul pavel pasha pablo paolo pawel",
	"natalia natalya natalie nathalie natasha nata",
	"tatiana tatyana tanya",
	"olga olya",
	"sergei sergey sergio serge seryozha",
	"anastasia nastya stacy stacey",
	"svetlana sveta lana",
	"lyudmila ludmila lyuda mila",
	"konstantin constantine kostya",
	"anatoly anatoli tolya",
	"boris borya",
	"yuri yura",
	"irina ira",
	"galina galya",
	"valentina valya",
	"nadezhda nadya",
	"darya daria dasha",
	"ksenia kseniya xenia ksyusha",
	"julia yulia yuliya julie yulya",
	"sofia sophia sophie sonya zofia",
	"yevgenia evgenia eugenia zhenya",
	"vyacheslav slava",
	"stanislav stas stan",
	"yaroslav slava",
};

#define NGROUPS (sizeof groups / sizeof groups[0])
#define MAX_ENTRIES 2048
#define NAME_MAX_LEN 16

struct entry {
	char name[NAME_MAX_LEN];
	int group;
};

static struct entry entries[MAX_ENTRIES];
static size_t nentries;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->group - y->group;
}

static void add(const char *name, size_t n, int group)
{
	if (n > 0 && n < NAME_MAX_LEN && nentries < MAX_ENTRIES) {
		memcpy(entries[nentries].name, name, n);
		entries[nentries].name[n] = '\0';
		entries[nentries++].group = group;
	}
}

/* Splits the groups into (name, group) entries, each name also in its
 * fold when that differs, sorted by name, once. */
static void build(void)
{
	char name[NAME_MAX_LEN], *fold;
	size_t g, n;

	for (g = 0; g < NGROUPS; g++) {
		for (const char *s = groups[g]; *s; s += n + (s[n] == ' ')) {
			n = strcspn(s, " ");
			add(s, n, (int)g);
			if (n == 0 || n >= NAME_MAX_LEN)
				continue;
			memcpy(name, s, n);
			name[n] = '\0';
			/* Without memory, a name is found as written only. */
			if (crm_text_fold(&fold, name) == CRM_OK && strcmp(fold, name))
				add(fold, strlen(fold), (int)g);
			free(fold);
		}
	}
	qsort(entries, nentries, sizeof entries[0], entry_cmp);
}

/* Stores in *first the first entry for name and returns how many there are. */
static size_t lookup(const char *name, const struct entry **first)
{
	size_t lo = 0, hi = nentries, end;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(entries[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < nentries && strcmp(entries[end].name, name) == 0; end++)
		;
	*first = entries + lo;
	return end - lo;
}

bool crm_nickname_p(const char *a, const char *b)
{
	const struct entry *ea, *eb;
	size_t na, nb, i, j;

	if (strlen(a) >= NAME_MAX_LEN || strlen(b) >= NAME_MAX_LEN || strcmp(a, b) == 0)
		return false;
	pthread_once(&once, build);
	na = lookup(a, &ea);
	nb = lookup(b, &eb);
	/* Both runs are sorted by group: walk them together. */
	for (i = 0, j = 0; i < na && j < nb;) {
		if (ea[i].group == eb[j].group)
			return true;
		if (ea[i].group < eb[j].group)
			i++;
		else
			j++;
	}
	return false;
}
